import type { Knex } from 'knex';

/**
 * FHIR Bulk Data exports (docs/bulk-export.md): one row per export job, whichever process runs
 * it, and its output as NDJSON chunks, so any process answers polls and downloads and a restart
 * loses nothing. A job is leased by the process running it; a lease that runs out (the process
 * died) lets another process resume from the cursor.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bulk_exports', (t) => {
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants');
    t.uuid('id').notNullable();
    /** `in-progress`, `completed` or `failed`; a cancelled export is deleted. */
    t.text('state').notNullable();
    /** `system` (`[base]/$export`) or `patient` (`[base]/Patient/$export`). */
    t.text('level').notNullable();
    /** The types to export, in order; already checked against the caller's scopes. */
    t.specificType('types', 'text[]').notNullable();
    t.timestamp('since', { useTz: true });
    /** Nothing changed after this instant is exported (the manifest's transactionTime). */
    t.timestamp('transaction_time', { useTz: true }).notNullable();
    /** The kick-off URL as the client sent it (the manifest's `request`). */
    t.text('request_url').notNullable();
    /** Who asked (audit agent, scopes, request id): a resumed export acts for them as the first run did. */
    t.jsonb('owner').notNullable();
    /** The cursor: the type being exported and the last id written of it. */
    t.integer('type_index').notNullable().defaultTo(0);
    t.text('after_id');
    t.integer('chunks').notNullable().defaultTo(0);
    t.bigInteger('exported').notNullable().defaultTo(0);
    /** Which run holds the job, and until when; another may take it over after. */
    t.uuid('lease_token');
    t.timestamp('leased_until', { useTz: true });
    /** The OperationOutcome of a failed export. */
    t.jsonb('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.primary(['tenant_id', 'id']);
    t.index(['state', 'leased_until']);
    t.index(['finished_at']);
  });
  await knex.schema.createTable('bulk_export_chunks', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('export_id').notNullable();
    t.text('resource_type').notNullable();
    /** Order of the chunk within the export (and so within its type's file). */
    t.integer('chunk_no').notNullable();
    t.integer('line_count').notNullable();
    t.text('ndjson').notNullable();
    t.primary(['tenant_id', 'export_id', 'resource_type', 'chunk_no']);
    t.foreign(['tenant_id', 'export_id']).references(['tenant_id', 'id']).inTable('bulk_exports').onDelete('CASCADE');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('bulk_export_chunks');
  await knex.schema.dropTableIfExists('bulk_exports');
}
