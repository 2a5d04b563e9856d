import type { ContactPoint, Identifier, Meta, Reference, Resource } from '@medplum/fhirtypes';

type ContactSystem = NonNullable<ContactPoint['system']>;

/** `[ { system, value } ]`, or `[]` when the value is absent: spread it into `telecom`. */
export function contactPoint(system: ContactSystem, value: string | undefined): ContactPoint[] {
  return value === undefined ? [] : [{ system, value }];
}

/** The value of the first contact point of this system, or null. */
export function telecomValue(telecom: ContactPoint[] | undefined, system: ContactSystem): string | null {
  return telecom?.find((t) => t.system === system && t.value !== undefined)?.value ?? null;
}

export function identifierValue(identifiers: Identifier[] | undefined, system: string): string | null {
  return identifiers?.find((i) => i.system === system)?.value ?? null;
}

/** `Practitioner/123` → `123`; null for an absent, contained or absolute reference. */
export function referenceId(reference: Reference | undefined, resourceType: string): string | null {
  const prefix = `${resourceType}/`;
  const ref = reference?.reference;
  return ref?.startsWith(prefix) ? (ref.slice(prefix.length).split('/')[0] ?? null) : null;
}

/**
 * The stored resource's `meta.lastUpdated`. Projections are only made of stored resources,
 * so a missing timestamp is a bug upstream, not a client error.
 */
export function lastUpdated(meta: Meta | undefined): string {
  const value = meta?.lastUpdated;
  if (value === undefined) throw new Error('cannot project a resource without meta.lastUpdated');
  return value;
}

/** The stored resource's id (see `lastUpdated` for why a missing one throws). */
export function resourceId(resource: { id?: string }): string {
  if (resource.id === undefined) throw new Error('cannot project a resource without an id');
  return resource.id;
}

/** FHIR forbids empty arrays: drop the top-level ones the builders left empty. */
export function withoutEmptyArrays<T extends object>(resource: T): T {
  const entries = Object.entries(resource).filter(([, v]) => !(Array.isArray(v) && v.length === 0));
  return Object.fromEntries(entries) as T;
}

/** `{ reference: 'Type/id', display }`, display omitted when absent. */
export function reference<T extends Resource>(resourceType: T['resourceType'], id: string, display?: string): Reference<T> {
  return { reference: `${resourceType}/${id}`, ...(display === undefined ? {} : { display }) };
}
