import type { Knex } from 'knex';

/**
 * A btree entry holds at most ~2.7 kB, so a long incompressible name, identifier or uri could
 * not be indexed and its write failed. Search indexes now key on the first
 * INDEXED_PREFIX_CHARS characters (4 bytes each at most) and queries recheck the whole value;
 * business keys are stored as their SHA-256 digest.
 */
export const INDEXED_PREFIX_CHARS = 256;

const PREFIXED = [
  ['search_string', 'search_string_tenant_id_resource_type_code_value_index'],
  ['search_token', 'search_token_tenant_id_resource_type_code_value_index'],
  ['search_uri', 'search_uri_tenant_id_resource_type_code_value_index'],
] as const;

export async function up(knex: Knex): Promise<void> {
  for (const [table, index] of PREFIXED) {
    await knex.raw('DROP INDEX ??', [index]);
    await knex.raw(`CREATE INDEX ?? ON ?? (tenant_id, resource_type, code, left(value, ${INDEXED_PREFIX_CHARS}))`, [`${table}_value_prefix`, table]);
  }
  await knex.raw('ALTER TABLE unique_keys RENAME COLUMN key_value TO key_digest');
  await knex.raw("UPDATE unique_keys SET key_digest = encode(sha256(convert_to(key_digest, 'UTF8')), 'hex')");
}

export async function down(): Promise<void> {
  throw new Error('009_bounded_index_keys cannot be reverted: business-key digests cannot be turned back into values');
}
