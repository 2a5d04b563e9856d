import type { Knex } from 'knex';
import { preparedStatement, runPrepared } from './prepared-query';
import type { VersionRow } from './rows';

/**
 * Opens the statements that write resource versions: what the statistics keeper counts. Each
 * answers a row per version written, with its `version_id` where it may have replaced a current
 * row.
 */
export const VERSION_WRITE_MARK = '/* resource versions */';

export interface VersionsWritten {
  versions: number;
  /** Of those, versions that replaced a current row of `resources` (an update or deletion): each leaves a dead row. */
  replacing: number;
}

/** What a statement wrote, from its response: undefined for any statement but a version write. */
export function versionsWrittenBy(sql: string | undefined, response: unknown): VersionsWritten | undefined {
  if (!sql?.startsWith(VERSION_WRITE_MARK)) return undefined;
  const rows = (response as { rows?: { version_id?: unknown }[] } | undefined)?.rows;
  if (!Array.isArray(rows)) return undefined;
  return { versions: rows.length, replacing: rows.filter((row) => Number(row.version_id) > 1).length };
}

export interface VersionRowWrite {
  row: VersionRow;
  /** No current row to replace: inserted, and skipped when a concurrent write inserted it first. */
  isNew: boolean;
}

const COLUMNS = ['resource_type', 'id', 'version_id', 'last_updated', 'created_at', 'deleted', 'content'];
/** The columns of `resources` and `resource_versions` beyond the tenant, and their types as `json_to_recordset` reads them. */
export const VERSION_COLUMNS = COLUMNS.join(', ');
export const VERSION_RECORD = 'resource_type text, id text, version_id int, last_updated timestamptz, created_at timestamptz, deleted boolean, content json';
const RECORD = `${VERSION_RECORD}, is_new boolean`;

/**
 * CTEs writing versions: each row of the JSON `input` over its current row while that is still
 * the version before it (or inserted, when new and not inserted meanwhile). The version it
 * replaces goes into the history table, read as it stood before the statement (all of a
 * statement's CTEs see one snapshot): the row the update's version check matched, since that
 * check passes only on the version before, which the writer read earlier. `versions` answers
 * `resource_type, id, version_id` of each written. Three bindings: input, tenant, tenant.
 *
 * The input is a JSON array read by `json_to_recordset`, or for one resource a JSON object
 * read by `json_to_record` (as `json`, each content is kept as the text it was written, not
 * parsed into `jsonb`): PostgreSQL plans a set-returning function as 100 rows, and for 50
 * updates it hashes the tenant's whole `resources` table until that holds thousands of rows,
 * where one row is planned as the single primary-key probe it is.
 */
function versionWriteCtes(input: 'json_to_recordset' | 'json_to_record'): string {
  return `input AS (SELECT * FROM ${input}(?::json) AS x(${RECORD})),
   updated AS (
     UPDATE resources r SET version_id = i.version_id, last_updated = i.last_updated, deleted = i.deleted, content = i.content
     FROM input i
     WHERE NOT i.is_new AND r.tenant_id = ?::uuid AND r.resource_type = i.resource_type AND r.id = i.id AND r.version_id = i.version_id - 1
     RETURNING r.tenant_id, r.resource_type, r.id, r.version_id),
   replaced AS (
     INSERT INTO resource_versions (tenant_id, ${VERSION_COLUMNS})
     SELECT o.tenant_id, ${COLUMNS.map((c) => `o.${c}`).join(', ')}
     FROM updated u JOIN resources o ON o.tenant_id = u.tenant_id AND o.resource_type = u.resource_type AND o.id = u.id AND o.version_id = u.version_id - 1),
   inserted AS (
     INSERT INTO resources (tenant_id, ${VERSION_COLUMNS}) SELECT ?::uuid, ${VERSION_COLUMNS} FROM input WHERE is_new
     ON CONFLICT (tenant_id, resource_type, id) DO NOTHING
     RETURNING resource_type, id, version_id),
   versions AS (SELECT resource_type, id, version_id FROM updated UNION ALL SELECT resource_type, id, version_id FROM inserted)`;
}

/** `versionWriteCtes` for any number of versions; bindings by `versionWriteBindings`. */
export const VERSION_WRITE_CTES = versionWriteCtes('json_to_recordset');
/** `versionWriteCtes` for one version; bindings by `oneVersionWriteBindings`. */
export const ONE_VERSION_WRITE_CTES = versionWriteCtes('json_to_record');

function inputOf({ row, isNew }: VersionRowWrite): Record<string, unknown> {
  return { ...row, tenant_id: undefined, is_new: isNew };
}

/** The three bindings of `versionWriteCtes`: its input (an array of rows, or one row) as JSON text, then the tenant twice. */
function bindingsOf(tenantId: string, input: unknown): unknown[] {
  return [JSON.stringify(input), tenantId, tenantId];
}

/** The bindings of `VERSION_WRITE_CTES`. */
export function versionWriteBindings(tenantId: string, writes: readonly VersionRowWrite[]): unknown[] {
  return bindingsOf(tenantId, writes.map(inputOf));
}

/** The bindings of `ONE_VERSION_WRITE_CTES`. */
export function oneVersionWriteBindings(tenantId: string, write: VersionRowWrite): unknown[] {
  return bindingsOf(tenantId, inputOf(write));
}

const WRITE_VERSIONS = preparedStatement('fhir_write_versions', `${VERSION_WRITE_MARK}\n   WITH ${VERSION_WRITE_CTES}\n   SELECT * FROM versions`);

/**
 * Writes the current rows of a tenant's resources, the versions they replace into the history,
 * however many, in one statement (one round trip, prepared once per connection), the rows
 * passed as one JSON value; answers `Type/id` of those written.
 */
export async function writeVersionRows(db: Knex | Knex.Transaction, tenantId: string, writes: readonly VersionRowWrite[]): Promise<Set<string>> {
  const rows = await runPrepared<{ resource_type: string; id: string }>(db, WRITE_VERSIONS, versionWriteBindings(tenantId, writes));
  return new Set(rows.map((r) => `${r.resource_type}/${r.id}`));
}
