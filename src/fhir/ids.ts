import { v7 as timeOrderedUuid } from 'uuid';
import { badRequest, fail } from '../problems/outcomes';

/** https://hl7.org/fhir/R4/datatypes.html#id */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function isFhirId(id: string): boolean {
  return FHIR_ID.test(id);
}

/** 400 for an id no resource can have (also keeps NUL bytes and the like away from SQL). */
export function assertValidId(id: string): string {
  if (!isFhirId(id)) fail(badRequest(`"${id.slice(0, 70)}" is not a valid FHIR id`, 'id'));
  return id;
}

/**
 * The id the server gives a new resource: a time-ordered UUID (v7, RFC 9562). An id leads the
 * key of the resource's row, its history and its rows in every search table, and new ids that
 * grow with time go to the right edge of those btrees, where random ones (v4) land on any leaf
 * page: fewer pages dirtied and written to the WAL whole after each checkpoint, fewer read back
 * from disk once the indexes outgrow memory (docs/performance-history.md, "Time-ordered ids"). The id
 * shows the millisecond the resource was created, which the first version's `meta.lastUpdated`
 * shows anyone who may read it.
 */
export const newResourceId = (): string => timeOrderedUuid();
