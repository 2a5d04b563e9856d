import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { INDEXED_TYPES, type IndexRows, type UniqueKey } from './index-rows';
import { adoptLogicalReferences, resolveLogicalReferences } from './logical-references';

/** Index rows have at most 8 columns: 1,000 rows stay well under PostgreSQL's bind limit. */
const ROWS_PER_INSERT = 1000;

interface Target {
  tenantId: string;
  resourceType: string;
  id: string;
}

/** Replaces the search index rows of one resource; `rows` undefined (deleted) clears them. */
export async function replaceSearchIndex(db: Knex | Knex.Transaction, target: Target, rows: IndexRows | undefined, isNew: boolean): Promise<void> {
  const owner = { tenant_id: target.tenantId, resource_type: target.resourceType, resource_id: target.id };
  const resolved = rows && { ...rows, reference: await resolveLogicalReferences(db, target.tenantId, rows.reference) };
  for (const type of INDEXED_TYPES) {
    const table = `search_${type}`;
    if (!isNew) await db(table).where(owner).delete();
    const list = (resolved?.[type] ?? []).map((row) => ({ ...owner, ...row }));
    // PostgreSQL takes at most 65,535 bound values a statement: a resource with 10,000 identifiers needs several.
    for (let at = 0; at < list.length; at += ROWS_PER_INSERT) await db(table).insert(list.slice(at, at + ROWS_PER_INSERT));
  }
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
