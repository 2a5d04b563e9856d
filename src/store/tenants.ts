import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export interface TenantRow {
  id: string;
  name: string;
  created_at: string;
}

export async function createTenant(knex: Knex, name: string): Promise<TenantRow> {
  const [row] = (await knex('tenants').insert({ id: randomUUID(), name }).returning(['id', 'name', 'created_at'])) as TenantRow[];
  return iso(row as TenantRow);
}

export async function listTenants(knex: Knex): Promise<TenantRow[]> {
  const rows: TenantRow[] = await knex('tenants')
    .select('id', 'name', 'created_at')
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map(iso);
}

export async function tenantExists(knex: Knex, id: string): Promise<boolean> {
  return (await knex('tenants').where({ id }).first('id')) !== undefined;
}

function iso(row: TenantRow): TenantRow {
  return { ...row, created_at: new Date(row.created_at).toISOString() };
}
