import type { Knex } from 'knex';
import type { VersionRow } from './rows';

/** Opens every statement that writes resource versions, with how many: what the statistics keeper counts. */
export const versionWriteMark = (count: number): string => `/* resource versions: ${count} */`;

/** How many versions a statement opened by `versionWriteMark` writes; undefined for any other statement. */
export function versionsWrittenBy(sql: string | undefined): number | undefined {
  const match = sql && /^\/\* resource versions: (\d+) \*\//.exec(sql);
  return match ? Number(match[1]) : undefined;
}

export interface VersionRowWrite {
  row: VersionRow;
  /** No current row to replace: inserted, and skipped when a concurrent write inserted it first. */
  isNew: boolean;
}

const COLUMNS = ['resource_type', 'id', 'version_id', 'last_updated', 'created_at', 'deleted', 'content'];
const RECORD = 'resource_type text, id text, version_id int, last_updated timestamptz, created_at timestamptz, deleted boolean, content jsonb, is_new boolean';

/**
 * Writes the current rows of a tenant's resources and the same rows into the version history,
 * however many, in one statement (one round trip), the rows passed as one jsonb value. A row is
 * only historised when its current row was written; answers `Type/id` of those written.
 */
export async function writeVersionRows(db: Knex | Knex.Transaction, tenantId: string, writes: readonly VersionRowWrite[]): Promise<Set<string>> {
  const input = writes.map(({ row, isNew }) => ({ ...row, tenant_id: undefined, is_new: isNew }));
  const columns = COLUMNS.join(', ');
  const result = await db.raw(
    `${versionWriteMark(writes.length)}
     WITH input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(${RECORD})),
     updated AS (
       UPDATE resources r SET version_id = i.version_id, last_updated = i.last_updated, deleted = i.deleted, content = i.content
       FROM input i
       WHERE NOT i.is_new AND r.tenant_id = ?::uuid AND r.resource_type = i.resource_type AND r.id = i.id
       RETURNING r.tenant_id, ${COLUMNS.map((c) => `r.${c}`).join(', ')}),
     inserted AS (
       INSERT INTO resources (tenant_id, ${columns}) SELECT ?::uuid, ${columns} FROM input WHERE is_new
       ON CONFLICT (tenant_id, resource_type, id) DO NOTHING
       RETURNING tenant_id, ${columns}),
     written AS (SELECT * FROM updated UNION ALL SELECT * FROM inserted)
     INSERT INTO resource_versions (tenant_id, ${columns}) SELECT tenant_id, ${columns} FROM written RETURNING resource_type, id`,
    [JSON.stringify(input), tenantId, tenantId],
  );
  return new Set((result.rows as { resource_type: string; id: string }[]).map((r) => `${r.resource_type}/${r.id}`));
}
