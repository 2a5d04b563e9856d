import type { Resource } from '@medplum/fhirtypes';
import type { Outcome } from '../../problems/outcomes';

/** Where a resource of an import came from: its line (1-based) and, inside a Bundle on that line, its entry (0-based). */
export interface ImportSource {
  line: number;
  entry?: number;
}

/** One line of an import as the HTTP layer parsed it: a JSON value, or why it is not one. */
export type ImportLine = { line: number; value: unknown } | { line: number; failure: Outcome };

/** A resource to load, its id settled and its Bundle-local references rewritten. */
export interface ImportItem {
  source: ImportSource;
  resource: Resource & { id: string };
}

export interface RejectedItem {
  source: ImportSource;
  /** `Type/id` when the resource got that far. */
  reference?: string;
  outcome: Outcome;
}

export interface ImportReport {
  /** Resources created (new ids). */
  created: number;
  /** Resources that existed and now have a new version. */
  updated: number;
  /** Resources stored before with the same content: no new version (a resumed load). */
  unchanged: number;
  /** Resources of types this server does not store, by type. */
  skipped: Record<string, number>;
  rejected: RejectedItem[];
}
