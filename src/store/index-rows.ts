import type { Resource } from '@medplum/fhirtypes';

/** The rows of the search index tables (`search_<type>`) for one resource, without its key columns. */
export interface IndexRows {
  string: { code: string; value: string; exact: string }[];
  /** `text` (display or CodeableConcept.text) is normalized like strings, for `:text`. */
  token: { code: string; system: string | null; value: string | null; text: string | null }[];
  /**
   * `reference` is the literal text, absent for a logical reference (`Reference.identifier` only);
   * `target_type` may be known without `target_id` (from `Reference.type` or the parameter's one target).
   */
  reference: {
    code: string;
    reference: string | null;
    target_type: string | null;
    target_id: string | null;
    identifier_system: string | null;
    identifier_value: string | null;
  }[];
  date: { code: string; low: Date; high: Date }[];
  number: { code: string; value: string }[];
  uri: { code: string; value: string }[];
}

export type IndexedParamType = keyof IndexRows;
export const INDEXED_TYPES: readonly IndexedParamType[] = ['string', 'token', 'reference', 'date', 'number', 'uri'];

/** A business key that at most one live resource of a tenant may hold. */
export interface UniqueKey {
  kind: string;
  value: string;
}

/** What the store writes beside a resource version so that search and uniqueness never read JSON. */
export interface IndexEntries {
  rows: IndexRows;
  keys: UniqueKey[];
}

/**
 * Derives a resource's index entries. The FHIR layer supplies it (FHIRPath evaluation is FHIR
 * semantics), so the store only writes what it is given.
 */
export interface Indexer {
  entriesOf(resource: Resource): IndexEntries;
  /** The sentence a client is told when a key of this kind is taken; no values, they may be PHI. */
  keyMessage(kind: string): string;
}
