import type { Knex } from 'knex';

/**
 * Indexes for GET /v1/clinician-profiles. `search=` matches substrings of names and display
 * names (search_string, already trigram-indexed) and of emails, which are tokens: they get a
 * trigram index of their own on the lower-cased value the listing compares. Pages are in
 * creation order, read from an index instead of sorting the tenant's practitioners each time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX search_token_email_trgm ON search_token USING gin (lower(value) public.gin_trgm_ops) WHERE code = 'email'");
  await knex.schema.alterTable('resources', (t) => {
    t.index(['tenant_id', 'resource_type', 'created_at', 'id'], 'resources_created_order');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('resources', (t) => {
    t.dropIndex(['tenant_id', 'resource_type', 'created_at', 'id'], 'resources_created_order');
  });
  await knex.raw('DROP INDEX IF EXISTS search_token_email_trgm');
}
