import { badRequest, fail } from '../../problems/outcomes';
import type { BundleRequestEntry, EntryMethod } from './parse-entry';
import { referencesIn } from './references';

const PHASES: readonly (readonly EntryMethod[])[] = [['DELETE'], ['POST'], ['PUT', 'PATCH'], ['GET']];

/**
 * The order a transaction's entries run in: DELETE, POST, PUT/PATCH, GET
 * (https://hl7.org/fhir/R4/http.html#trules). POSTs run after the POSTs whose fullUrl they
 * reference, so each placeholder has its server id before anything points at it.
 */
export function transactionOrder(entries: readonly BundleRequestEntry[]): BundleRequestEntry[] {
  assertDistinctTargets(entries);
  return PHASES.flatMap((methods) => {
    const phase = entries.filter((e) => methods.includes(e.method));
    return methods.includes('POST') ? dependenciesFirst(phase) : phase;
  });
}

/** "If any resource identities … overlap in steps 1-3, then the transaction SHALL fail." */
function assertDistinctTargets(entries: readonly BundleRequestEntry[]): void {
  const seen = new Map<string, number>();
  for (const { method, request, index } of entries) {
    if (method === 'GET' || request.id === undefined) continue;
    const target = `${request.resourceType}/${request.id}`;
    const earlier = seen.get(target);
    if (earlier !== undefined) {
      fail(
        badRequest(
          `Bundle.entry[${earlier}] and Bundle.entry[${index}] both change ${target}; a transaction may change a resource once`,
          `Bundle.entry[${index}].request.url`,
        ),
      );
    }
    seen.set(target, index);
  }
}

function dependenciesFirst(posts: readonly BundleRequestEntry[]): BundleRequestEntry[] {
  const byFullUrl = new Map(posts.flatMap((e) => (e.fullUrl === undefined ? [] : [[e.fullUrl, e] as const])));
  const ordered: BundleRequestEntry[] = [];
  const visiting = new Set<BundleRequestEntry>();
  const visit = (entry: BundleRequestEntry): void => {
    if (ordered.includes(entry)) return;
    if (visiting.has(entry)) {
      fail(
        badRequest(
          `Bundle.entry[${entry.index}] is part of a cycle of references between created resources, which cannot be resolved`,
          `Bundle.entry[${entry.index}].fullUrl`,
        ),
      );
    }
    visiting.add(entry);
    for (const reference of referencesIn(entry.request.body)) {
      const dependency = byFullUrl.get(reference);
      if (dependency) visit(dependency);
    }
    visiting.delete(entry);
    ordered.push(entry);
  };
  posts.forEach(visit);
  return ordered;
}
