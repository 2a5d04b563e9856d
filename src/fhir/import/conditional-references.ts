import type { Identifier, Resource } from '@medplum/fhirtypes';
import { fail, preconditionFailed } from '../../problems/outcomes';
import { isConditionalReference } from '../bundle/conditional-reference';
import { referenceHolders } from '../bundle/references';
import { findMatches } from '../search/match';
import type { FhirService } from '../service';
import { isSupportedType } from '../validation/definitions';

type Json = Record<string, unknown>;

/** Conditional references already resolved in this import: `Practitioner?identifier=…` → `Practitioner/id`. */
export type ResolvedReferences = Map<string, string>;

/**
 * `resource` with its conditional references (`Practitioner?identifier=sys|val`, as Synthea
 * writes them) naming the one stored resource they match; a copy when it holds any. One that
 * matches nothing yet and selects by identifier alone becomes a logical reference
 * (`{type, identifier}`), which the index resolves once that resource is stored; anything else
 * unresolved is a 412. With no stored match, the one resource of `pending` (those about to be
 * stored with it) holding the identifier is the target.
 */
export async function settleConditionalReferences<T extends Resource>(
  resource: T,
  service: FhirService,
  resolved: ResolvedReferences,
  pending: PendingIdentifiers = new Map(),
): Promise<T> {
  if (conditionalReferencesIn(resource).length === 0) return resource;
  const copy = structuredClone(resource);
  for (const holder of conditionalReferencesIn(copy)) {
    const reference = holder.reference as string;
    const target = resolved.get(reference) ?? (await resolve(service, reference)) ?? pendingHolder(pending, reference);
    if (target !== undefined) {
      resolved.set(reference, target);
      holder.reference = target;
      continue;
    }
    const logical = logicalReference(reference);
    if (!logical) fail(preconditionFailed(`Conditional reference ${reference.slice(0, 200)} matches no resource`));
    delete holder.reference;
    Object.assign(holder, logical);
  }
  return copy;
}

/** `Type/id` of the one match; undefined when none; 412 when several. */
async function resolve(service: FhirService, reference: string): Promise<string | undefined> {
  const [type = '', criteria = ''] = reference.split(/\?(.*)/s);
  if (!isSupportedType(type)) return undefined;
  const matches = await findMatches(service, type, criteria, 2);
  if (matches.length > 1) fail(preconditionFailed(`Conditional reference ${reference.slice(0, 200)} matches more than one resource`));
  return matches[0] && `${type}/${matches[0].resource.id}`;
}

/** `Type/id` of resources about to be stored, by the identifiers they hold (see `identifierKeys`). */
export type PendingIdentifiers = Map<string, Set<string>>;

/** The identifiers of resources about to be stored, for conditional references to them. */
export function pendingIdentifiers(resources: readonly (Resource & { id: string })[]): PendingIdentifiers {
  const pending: PendingIdentifiers = new Map();
  for (const resource of resources) {
    const identifiers = (resource as { identifier?: unknown }).identifier;
    for (const identifier of Array.isArray(identifiers) ? (identifiers as Identifier[]) : []) {
      if (typeof identifier?.value !== 'string') continue;
      for (const key of identifierKeys(resource.resourceType, identifier)) {
        pending.set(key, (pending.get(key) ?? new Set()).add(`${resource.resourceType}/${resource.id}`));
      }
    }
  }
  return pending;
}

/** A held identifier answers a reference naming its system and value, and one naming its value alone. */
const identifierKeys = (type: string, { system, value }: Identifier): string[] => [`${type}|${system ?? ''}|${value}`, `${type}||${value}`];

function pendingHolder(pending: PendingIdentifiers, reference: string): string | undefined {
  const logical = logicalReference(reference);
  if (!logical) return undefined;
  const { system, value } = logical.identifier;
  const holders = pending.get(system === undefined ? `${logical.type}||${value}` : identifierKeys(logical.type, logical.identifier)[0]!);
  return holders?.size === 1 ? [...holders][0] : undefined;
}

/** `Type?identifier=system|value` as `{ type, identifier }`; undefined for any other criteria. */
function logicalReference(reference: string): { type: string; identifier: Identifier } | undefined {
  const [type = '', criteria = ''] = reference.split(/\?(.*)/s);
  const params = [...new URLSearchParams(criteria)];
  if (params.length !== 1 || params[0]![0] !== 'identifier') return undefined;
  const token = params[0]![1];
  const bar = token.indexOf('|');
  const identifier: Identifier = bar < 0 ? { value: token } : { system: token.slice(0, bar) || undefined, value: token.slice(bar + 1) };
  if (!identifier.value) return undefined;
  if (identifier.system === undefined) delete identifier.system;
  return { type, identifier };
}

function conditionalReferencesIn(value: unknown): Json[] {
  return referenceHolders(value).filter((holder) => isConditionalReference(holder.reference as string));
}
