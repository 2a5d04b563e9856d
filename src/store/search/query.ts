import type { IndexedParamType } from '../index-rows';

/** FHIR search prefixes. https://hl7.org/fhir/R4/search.html#prefix */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** One alternative of a parameter's comma-separated values, ready to compare with an index row. */
export type IndexValue =
  | { type: 'string'; match: 'start' | 'contains'; text: string }
  /** `text` as sent; `folded` as the index keys it (lower-case, accents removed), which narrows the rows to compare. */
  | { type: 'string'; match: 'exact'; text: string; folded: string }
  /** `system` undefined = any system, null = no system; `code` undefined = any code. */
  | { type: 'token'; system?: string | null; code?: string }
  | { type: 'tokenText'; text: string }
  /** Token values containing `text`, case-insensitively (lower-case `text`); not a FHIR modifier, for /v1 filters. */
  | { type: 'tokenSubstring'; text: string }
  /** The exact `reference` text and/or a target id (and type when known); `id` null: rows whose reference names no target id (a URN). */
  | { type: 'reference'; reference?: string; targetType?: string; id?: string | null }
  /** `Reference.identifier` (`:identifier`); `system` as for tokens. */
  | { type: 'referenceIdentifier'; system?: string | null; value?: string }
  /** `low`/`high`: the inclusive instant range the search value stands for (ISO strings). */
  | { type: 'date'; prefix: Prefix; low: string; high: string }
  /** `half`: half a unit of the value's last significant digit (its implied precision). */
  | { type: 'number'; prefix: Prefix; value: string; half: string }
  | { type: 'uri'; match: 'exact' | 'below' | 'above'; uri: string };

/** One criterion of a search; the criteria of a search are ANDed. */
export type Criterion =
  /** Some index row of one of `codes` matches one of `values` (none does, when `negate`). */
  | { kind: 'index'; table: IndexedParamType; codes: readonly string[]; values: IndexValue[]; negate?: boolean }
  /** One index row of `codes` matches a value of every group: ANDed values of a parameter with one value per resource. */
  | { kind: 'indexRow'; table: IndexedParamType; codes: readonly string[]; groups: IndexValue[][] }
  | { kind: 'missing'; table: IndexedParamType; codes: readonly string[]; missing: boolean }
  | { kind: 'id'; ids: string[] }
  | { kind: 'lastUpdated'; values: Extract<IndexValue, { type: 'date' }>[] }
  | { kind: 'constant'; matches: boolean }
  /**
   * A reference row to a resource of one of the target types that meets that type's criterion:
   * a row of one of the target's `codes` (those of the parameter that may point at that type),
   * which the chain's `codes` hold all of.
   */
  | { kind: 'chain'; codes: readonly string[]; targets: { type: string; codes: readonly string[]; criterion: Criterion }[] }
  /** A live `type` resource that meets every criterion references the subject through a row of one of `codes` (`_has`). */
  | { kind: 'has'; type: string; codes: readonly string[]; criteria: Criterion[] }
  /** At least one of the criteria holds. */
  | { kind: 'any'; criteria: Criterion[] };

export interface SortKey {
  /** `id`, `lastUpdated` and `created` (first version's time) are columns of `resources`; the rest read an index table. */
  on: IndexedParamType | 'id' | 'lastUpdated' | 'created';
  /** The index rows of the parameter: one code, or a whole's and its parts' (`name`, `family`, `given`). */
  codes: readonly string[];
  descending: boolean;
}

/** `_include` (forward) or `_revinclude` (reverse). https://hl7.org/fhir/R4/search.html#include */
export interface IncludeSpec {
  reverse: boolean;
  sourceType: string;
  /** The row codes of a reference parameter of sourceType; undefined = every reference parameter (`*`). */
  codes?: readonly string[];
  targetType?: string;
  iterate: boolean;
}

/** What the store needs to run a search. */
export interface SearchQuery {
  criteria: Criterion[];
  sort: SortKey[];
  count: number;
  offset: number;
  /** Count the matches (for Bundle.total). */
  countTotal: boolean;
  /** Count at most this many, so a broad search never pays for counting every match; beyond it, omit the total or estimate it. */
  countUpTo?: {
    limit: number;
    beyond: 'omit' | 'estimate';
    /**
     * With `beyond: 'omit'`: a count the planner costs above this is not run, and the total is
     * left out as if beyond the limit (a search by several broad criteria hashes every match of
     * each to count them: seconds at a million resources, for a page of milliseconds).
     */
    costLimit?: number;
  };
  include: IncludeSpec[];
}
