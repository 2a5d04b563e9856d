import type { Resource } from '@medplum/fhirtypes';
import type { Knex } from 'knex';
import { coalescedReader } from './coalesced-reads';
import { preparedStatement, runPrepared } from './prepared-query';
import type { StoredVersion } from './rows';

/**
 * A version row whose content was read as the JSON text it was stored as (meta included: writes store
 * it inside), and its timestamps as FHIR instants (`2026-11-26T08:41:00.123Z`).
 */
export interface JsonVersionRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: string;
  created_at: string;
  deleted: boolean;
  content: string;
}

/**
 * A timestamp column as `Date#toISOString` writes it, by PostgreSQL: the driver would parse it
 * into a Date only for the server to print it back, twice per resource of every answer.
 */
const instant = (column: string, name: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${name}`;

/** The columns of a `JsonVersionRow`, of the table `alias` names. */
export const jsonVersionColumns = (alias: string): string =>
  [
    ...['resource_type', 'id', 'version_id'].map((c) => `${alias}.${c}`),
    instant(`${alias}.last_updated`, 'last_updated'),
    instant(`${alias}.created_at`, 'created_at'),
    `${alias}.deleted`,
    `${alias}.content::text AS content`,
  ].join(', ');

/** A row of a statement that LEFT JOINs versions to some `Extra` columns: a version's columns, or nulls where none joined. */
export type JoinedVersionRow<Extra> = (Extra & JsonVersionRow) | (Extra & { [column in keyof JsonVersionRow]: null });
export const holdsVersion = <Extra>(row: JoinedVersionRow<Extra>): row is Extra & JsonVersionRow => row.id !== null;

const COLUMNS = jsonVersionColumns('v');
const readCurrent = coalescedReader<JsonVersionRow>('fhir_read_current', COLUMNS);
/** The current version in `resources`, the ones before it in `resource_versions`: one of the two holds it. */
const READ_VERSION = preparedStatement(
  'fhir_read_version',
  ['resources', 'resource_versions']
    .map((table) => `SELECT ${COLUMNS} FROM ${table} v WHERE tenant_id = ? AND resource_type = ? AND id = ? AND version_id = ?`)
    .join(' UNION ALL '),
);

/** The current row of one resource, deleted or not. */
export async function readCurrentAsJson(db: Knex, tenantId: string, resourceType: string, id: string): Promise<StoredVersion | undefined> {
  const row = await readCurrent(db, { tenantId, resourceType, id });
  return row && versionOfJsonRow(row);
}

/** One version of one resource, a deletion or not. */
export async function readVersionAsJson(db: Knex, tenantId: string, resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
  const key = [tenantId, resourceType, id, versionId];
  const [row] = await runPrepared<JsonVersionRow>(db, READ_VERSION, [...key, ...key]);
  return row && versionOfJsonRow(row);
}

/**
 * A version read as the JSON text it was stored as: the resource is parsed only when something
 * asks for it, and until then the text stands for it.
 *
 * `resource` is an own property, so that a copy (`{ ...version }`) carries the resource, but its
 * accessor is one pair of functions for every version: V8 kept whatever a per-object accessor's
 * closure held (the row and its text) alive past the next young-generation collection, which
 * promoted every page's rows to the old generation (docs/performance-history.md, "Accessors
 * without closures").
 */
class StoredJsonVersion implements StoredVersion {
  declare resource: Resource;
  resourceType: string;
  id: string;
  versionId: string;
  lastUpdated: string;
  createdAt: string;
  deleted: boolean;
  /** The stored text, until a caller is handed the resource (which it might change). */
  #text: string | undefined;
  #resource: Resource | undefined;

  static readonly #resourceProperty: PropertyDescriptor = {
    enumerable: true,
    get(this: StoredJsonVersion): Resource {
      if (this.#resource === undefined) {
        this.#resource = JSON.parse(this.#text as string) as Resource;
        this.#text = undefined;
      }
      return this.#resource;
    },
    set(this: StoredJsonVersion, value: Resource): void {
      this.#resource = value;
      this.#text = undefined;
    },
  };

  constructor(row: JsonVersionRow) {
    this.resourceType = row.resource_type;
    this.id = row.id;
    this.versionId = String(row.version_id);
    this.lastUpdated = row.last_updated;
    this.createdAt = row.created_at;
    this.deleted = row.deleted;
    this.#text = row.content;
    Object.defineProperty(this, 'resource', StoredJsonVersion.#resourceProperty);
  }

  get untouchedText(): string | undefined {
    return this.#text;
  }
}

export const versionOfJsonRow = (row: JsonVersionRow): StoredVersion => new StoredJsonVersion(row);

/**
 * The JSON text a version's resource is stored as, to send as is instead of serialising the
 * resource — only while no caller has been handed the resource, which it might have changed.
 */
export function storedJsonOf(version: StoredVersion): string | undefined {
  return version instanceof StoredJsonVersion ? version.untouchedText : undefined;
}
