import type { Knex } from 'knex';

/**
 * The Junction bridge (docs/junction.md): idempotency records of `POST /v1/lab-orders`, the
 * outbox that submits each lab ServiceRequest to Junction exactly once, and the Svix message
 * ids of webhooks already processed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants');
    /** The operation the key belongs to, e.g. `POST /v1/lab-orders`. */
    t.text('scope').notNullable();
    t.text('key').notNullable();
    /** SHA-256 of the canonical request body: the same key with another body is a conflict. */
    t.text('fingerprint').notNullable();
    /** `in_flight` while the first request runs, `completed` (final answer stored) or `incomplete` (a retry re-drives it). */
    t.text('state').notNullable();
    t.integer('response_status');
    t.jsonb('response_body');
    /** The resource the first request created, once it exists. */
    t.text('resource_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'scope', 'key']);
    t.index(['created_at']);
  });
  await knex.schema.createTable('lab_order_outbox', (t) => {
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants');
    /** The ServiceRequest; also Junction's X-Idempotency-Key and the order's passthrough. */
    t.text('service_request_id').notNullable();
    /** `pending` (to submit), `submitted`, `dead` (an operator must look). */
    t.text('state').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    /** Until when a worker holds the row; another may take it over after. */
    t.timestamp('leased_until', { useTz: true });
    /** Whether an earlier attempt may have reached Junction: ask before sending again. */
    t.boolean('outcome_unknown').notNullable().defaultTo(false);
    t.text('last_error');
    /** The Junction order body without \`user_id\` (resolved at submission), built when the order was written. */
    t.jsonb('payload').notNullable();
    t.text('junction_order_id').unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'service_request_id']);
    t.index(['state', 'next_attempt_at']);
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.text('message_id').primary();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('lab_order_outbox');
  await knex.schema.dropTableIfExists('idempotency_keys');
}
