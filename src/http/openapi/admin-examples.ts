import type { AdminSchemaName } from '../../auth/admin-schemas';
import type { Examples } from './operations';

const tenant = { id: '6f1c2b9e-4d3a-4e8f-9b7c-2a1d0e9f8c7b', name: 'Clinic A', created_at: '2025-05-02T10:00:00.000Z' };
const key = {
  id: '0b8e7d6c-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  tenant_id: tenant.id,
  name: 'ehr',
  scopes: ['system/*.rs'],
  created_at: '2025-05-02T10:01:00.000Z',
  last_used_at: null,
  revoked_at: null,
};

/** Examples of the /admin bodies. */
export const ADMIN_EXAMPLES: Partial<Record<AdminSchemaName, Examples>> = {
  'admin.tenant.request': { clinic: { summary: 'A tenant', value: { name: 'Clinic A' } } },
  'admin.tenant': { clinic: { summary: 'A tenant', value: tenant } },
  'admin.tenants': { one: { summary: 'One tenant', value: { data: [tenant] } } },
  'admin.api-key.request': { reader: { summary: 'A read-only key', value: { tenant_id: tenant.id, name: 'ehr', scopes: ['system/*.rs'] } } },
  'admin.api-key.created': { reader: { summary: 'The key, shown this once', value: { ...key, key: 'fhk_Zm9yLWRvY3VtZW50YXRpb24tb25seS1ub3QtYS1rZXk' } } },
  'admin.api-keys': { one: { summary: 'One key', value: { data: [key] } } },
  'admin.error': {
    invalid: {
      summary: 'A bad field',
      value: { error: 'validation_error', message: 'name must be a non-empty string of at most 200 characters' },
      kind: 'badRequest',
    },
    forbidden: {
      summary: 'A key without the admin scope',
      value: { error: 'insufficient_scope', message: 'The admin API needs the admin scope' },
      kind: 'forbidden',
    },
  },
};
