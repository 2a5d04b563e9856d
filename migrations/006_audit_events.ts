import type { Knex } from 'knex';

/**
 * The audit trail: one AuditEvent (BALP-shaped JSON) per access to stored resources, kept
 * apart from the resources it describes, written in batches (docs/security.md, "Audit").
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants');
    t.uuid('id').notNullable();
    t.timestamp('recorded', { useTz: true }).notNullable();
    /** `Type/id` of each resource the event names, for `entity=` searches. */
    t.specificType('entities', 'text[]').notNullable();
    t.jsonb('content').notNullable();
    t.primary(['tenant_id', 'id']);
    t.index(['tenant_id', 'recorded']);
  });
  await knex.raw('CREATE INDEX audit_events_entities ON audit_events USING gin (entities)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('audit_events');
}
