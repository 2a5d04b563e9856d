import { badRequest, fail } from '../../problems/outcomes';
import type { BundleRequestEntry, EntryMethod } from './parse-entry';
import { referencesIn } from './references';

const PHASES: readonly (readonly EntryMethod[])[] = [['DELETE'], ['POST'], ['PUT', 'PATCH'], ['GET']];

/**
 * The phases a transaction's entries run in: DELETE, POST, PUT/PATCH, GET
 * (https://hl7.org/fhir/R4/http.html#trules). Plain creates (POST without `ifNoneExist`) get
 * their ids before anything runs, so they may reference anything, each other too; they come
 * last in the POST phase. Conditional creates run first, after the ones whose fullUrl they
 * reference, since a fullUrl stands for the resource a conditional create made or matched.
 */
export function transactionPhases(entries: readonly BundleRequestEntry[]): BundleRequestEntry[][] {
  assertDistinctTargets(entries);
  return phasesOf(entries).map((phase, i) =>
    PHASES[i]!.includes('POST') ? [...dependenciesFirst(phase.filter((e) => !isPlainCreate(e))), ...phase.filter(isPlainCreate)] : phase,
  );
}

/** The entries of each phase — DELETE, POST, PUT/PATCH, GET — in Bundle order within it. */
export function phasesOf(entries: readonly BundleRequestEntry[]): BundleRequestEntry[][] {
  return PHASES.map((methods) => entries.filter((e) => methods.includes(e.method)));
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

/** A create the server gives an id of its own, whatever else the transaction holds. */
export const isPlainCreate = (entry: BundleRequestEntry): boolean => entry.route.interaction === 'create' && entry.request.ifNoneExist === undefined;

function dependenciesFirst(posts: readonly BundleRequestEntry[]): BundleRequestEntry[] {
  const byFullUrl = new Map(posts.flatMap((e) => (e.fullUrl === undefined ? [] : [[e.fullUrl, e] as const])));
  const ordered: BundleRequestEntry[] = [];
  const visiting = new Set<BundleRequestEntry>();
  const visit = (entry: BundleRequestEntry): void => {
    if (ordered.includes(entry)) return;
    if (visiting.has(entry)) {
      fail(
        badRequest(
          `Bundle.entry[${entry.index}] is part of a cycle of references between conditional creates, which cannot be resolved`,
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
