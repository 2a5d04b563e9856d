import { v7 as timeOrderedUuid } from 'uuid';
import type { Knex } from 'knex';

/** An API key as stored: never the key itself, only its hash. */
export interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = ['id', 'tenant_id', 'name', 'scopes', 'created_at', 'last_used_at', 'revoked_at'];

export interface NewApiKey {
  tenantId: string;
  name: string;
  scopes: string[];
  keyHash: string;
}

/**
 * A new key's row. Its id is time-ordered (UUIDv7), so that keys listed by (created_at, id) come
 * oldest first even when two were created within one tick of the database's clock (PGlite's is
 * coarser than PostgreSQL's microseconds).
 */
const rowOf = (key: NewApiKey) => ({ id: timeOrderedUuid(), tenant_id: key.tenantId, name: key.name, scopes: key.scopes, key_hash: key.keyHash });

export async function insertApiKey(knex: Knex, key: NewApiKey): Promise<ApiKeyRow> {
  const [row] = await knex('api_keys').insert(rowOf(key)).returning(COLUMNS);
  return iso(row as ApiKeyRow);
}

/**
 * Makes sure this key exists, is not revoked and has these scopes (the bootstrap key):
 * concurrent starters meet on the unique hash.
 */
export async function ensureApiKey(knex: Knex, key: NewApiKey): Promise<void> {
  await knex('api_keys').insert(rowOf(key)).onConflict('key_hash').merge({ scopes: key.scopes, revoked_at: null, tenant_id: key.tenantId });
}

export async function findApiKeyByHash(knex: Knex, keyHash: string): Promise<ApiKeyRow | undefined> {
  const row = (await knex('api_keys').where({ key_hash: keyHash }).first(COLUMNS)) as ApiKeyRow | undefined;
  return row && iso(row);
}

export async function listApiKeys(knex: Knex, tenantId?: string): Promise<ApiKeyRow[]> {
  const query = knex('api_keys')
    .select(COLUMNS)
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  if (tenantId !== undefined) query.where({ tenant_id: tenantId });
  return ((await query) as ApiKeyRow[]).map(iso);
}

/** Revokes a key; false when there is no such (unrevoked) key. */
export async function revokeApiKey(knex: Knex, id: string): Promise<boolean> {
  const updated = await knex('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: knex.fn.now() });
  return updated > 0;
}

/** Records use of these keys (batched by the caller). */
export async function touchApiKeys(knex: Knex, ids: string[]): Promise<void> {
  if (ids.length > 0) await knex('api_keys').whereIn('id', ids).update({ last_used_at: knex.fn.now() });
}

export async function countActiveApiKeys(knex: Knex): Promise<number> {
  const [{ count }] = (await knex('api_keys').whereNull('revoked_at').count({ count: '*' })) as [{ count: string | number }];
  return Number(count);
}

function iso(row: ApiKeyRow): ApiKeyRow {
  const at = (v: string | null): string | null => (v === null ? null : new Date(v).toISOString());
  return { ...row, created_at: new Date(row.created_at).toISOString(), last_used_at: at(row.last_used_at), revoked_at: at(row.revoked_at) };
}
