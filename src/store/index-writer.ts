import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { INDEXED_TYPES, type IndexedParamType, type IndexRows, type UniqueKey } from './index-rows';
import { adoptLogicalReferences, resolveLogicalReferences } from './logical-references';

/** The columns of each index table beyond its key, with their SQL types, as `jsonb_to_recordset` reads them. */
const ROW_COLUMNS: Record<IndexedParamType, [name: string, type: string][]> = {
  string: [
    ['code', 'text'],
    ['value', 'text'],
    ['exact', 'text'],
  ],
  token: [
    ['code', 'text'],
    ['system', 'text'],
    ['value', 'text'],
    ['text', 'text'],
  ],
  reference: [
    ['code', 'text'],
    ['reference', 'text'],
    ['target_type', 'text'],
    ['target_id', 'text'],
    ['identifier_system', 'text'],
    ['identifier_value', 'text'],
  ],
  date: [
    ['code', 'text'],
    ['low', 'timestamptz'],
    ['high', 'timestamptz'],
  ],
  number: [
    ['code', 'text'],
    ['value', 'numeric'],
  ],
  uri: [
    ['code', 'text'],
    ['value', 'text'],
  ],
};

interface Target {
  tenantId: string;
  resourceType: string;
  id: string;
}

/**
 * Replaces the search index rows of one resource (`rows` undefined, a deletion, clears them) in
 * one statement: each table's old rows deleted and new rows inserted by CTEs that all see the
 * same snapshot, the rows passed as one jsonb value per table — one round trip instead of two per
 * table, and no bound-parameter limit however many identifiers a resource has.
 */
export async function replaceSearchIndex(db: Knex | Knex.Transaction, target: Target, rows: IndexRows | undefined, isNew: boolean): Promise<void> {
  const resolved = rows && { ...rows, reference: await resolveLogicalReferences(db, target.tenantId, rows.reference) };
  const parts: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  const owner = [target.tenantId, target.resourceType, target.id];
  for (const type of INDEXED_TYPES) {
    if (!isNew) {
      parts.push(`d_${type} AS (DELETE FROM search_${type} WHERE tenant_id = ? AND resource_type = ? AND resource_id = ?)`);
      bindings.push(...owner);
    }
    const list = resolved?.[type] ?? [];
    if (list.length === 0) continue;
    const columns = ROW_COLUMNS[type];
    const names = columns.map(([name]) => name).join(', ');
    const record = columns.map(([name, sqlType]) => `${name} ${sqlType}`).join(', ');
    parts.push(
      `i_${type} AS (INSERT INTO search_${type} (tenant_id, resource_type, resource_id, ${names}) SELECT ?::uuid, ?, ?, ${names} FROM jsonb_to_recordset(?::jsonb) AS x(${record}))`,
    );
    bindings.push(...owner, JSON.stringify(list));
  }
  if (parts.length > 0) await db.raw(`WITH ${parts.join(', ')} SELECT 1`, bindings);
  if (rows) await adoptLogicalReferences(db, target, rows.token);
}

/**
 * Replaces the resource's business keys. A key another resource already holds (also one
 * held by a concurrent, not yet committed write: ON CONFLICT waits for it) is returned.
 */
export async function replaceUniqueKeys(db: Knex | Knex.Transaction, target: Target, keys: UniqueKey[], isNew: boolean): Promise<string[]> {
  const owner = { tenant_id: target.tenantId, resource_type: target.resourceType, resource_id: target.id };
  if (!isNew) await db('unique_keys').where(owner).delete();
  const unique = dedupeKeys(keys);
  if (unique.length === 0) return [];
  const rows = unique.map((k) => ({
    tenant_id: target.tenantId,
    key_kind: k.kind,
    key_digest: digestOf(k.value),
    resource_type: target.resourceType,
    resource_id: target.id,
  }));
  const inserted: { key_kind: string; key_digest: string }[] = await db('unique_keys')
    .insert(rows)
    .onConflict(['tenant_id', 'key_kind', 'key_digest'])
    .ignore()
    .returning(['key_kind', 'key_digest']);
  const stored = new Set(inserted.map((k) => `${k.key_kind}\u0000${k.key_digest}`));
  return [...new Set(rows.filter((k) => !stored.has(`${k.key_kind}\u0000${k.key_digest}`)).map((k) => k.key_kind))];
}

/** Keys are compared by digest: a value of any length fits the primary key. */
function digestOf(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function dedupeKeys(keys: UniqueKey[]): UniqueKey[] {
  const seen = new Map(keys.map((k) => [`${k.kind}\u0000${k.value}`, k]));
  return [...seen.values()];
}
