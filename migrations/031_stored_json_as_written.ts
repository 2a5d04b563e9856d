import type { Knex } from 'knex';

const TABLES = ['resources', 'resource_versions'];

/**
 * A resource's content is kept as the JSON text the server wrote (`json`), not parsed into
 * `jsonb`: nothing queries inside it (searches read the index tables), and every read answered
 * it as text, which `jsonb` rebuilt on each read (~10 µs of PostgreSQL's CPU per resource: a
 * third of what a read by id cost it, a quarter of a page of twenty). The text is also smaller
 * (no per-key offsets) and comes back compact and in the order it was written. Rewrites both
 * tables once.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of TABLES) await knex.raw('ALTER TABLE ?? ALTER COLUMN content TYPE json USING content::json', [table]);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) await knex.raw('ALTER TABLE ?? ALTER COLUMN content TYPE jsonb USING content::jsonb', [table]);
}
