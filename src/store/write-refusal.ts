import { WRITE_REFUSED } from '../../migrations/021_write_refusal';

/** What a statement that refused itself (`fhir_refuse_write`) named in its DETAIL. */
export interface RefusedWrite {
  resource_type: string;
  id: string;
  /** The business key it could not take; null when the resource's row was the refusal. */
  key_kind: string | null;
}

/** What a write that refused itself could not write; undefined for any other error. */
export function refusedBy(err: unknown): RefusedWrite[] | undefined {
  const { code, detail } = (err ?? {}) as { code?: unknown; detail?: unknown };
  return code === WRITE_REFUSED && typeof detail === 'string' ? JSON.parse(detail) : undefined;
}
