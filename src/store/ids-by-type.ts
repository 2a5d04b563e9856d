import { byCodeUnits } from '../code-unit-order';

/** The ids of these resources by type, for `id = ANY(…)`, which every plan serves from an index. */
export function idsByType(targets: readonly { resourceType: string; id: string }[]): Map<string, string[]> {
  const byType = new Map<string, string[]>();
  for (const { resourceType, id } of targets) {
    const ids = byType.get(resourceType);
    if (ids) ids.push(id);
    else byType.set(resourceType, [id]);
  }
  return byType;
}

/**
 * The order in which writes of several resources lock their rows: by type, then id, as
 * PostgreSQL orders ids (FHIR ids are ASCII). Writers that lock in one order never deadlock.
 */
export const byTypeAndId = (a: { resourceType: string; id: string }, b: { resourceType: string; id: string }): number =>
  byCodeUnits(a.resourceType, b.resourceType) || byCodeUnits(a.id, b.id);
