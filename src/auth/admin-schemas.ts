/**
 * The bodies of `/admin/*` as JSON Schemas, for the OpenAPI document. `Admin` checks requests
 * in code (its messages name the field); test/http/openapi.test.ts holds its answers to these.
 */
const uuid = { type: 'string', format: 'uuid' } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const name = { type: 'string', minLength: 1, maxLength: 200 } as const;

const tenant = {
  type: 'object',
  properties: { id: uuid, name: { type: 'string' }, created_at: timestamp },
  required: ['id', 'name', 'created_at'],
  additionalProperties: false,
};

const keyProperties = {
  id: uuid,
  tenant_id: uuid,
  name: { type: 'string' },
  scopes: { type: 'array', items: { type: 'string' } },
  created_at: timestamp,
  last_used_at: { type: ['string', 'null'], format: 'date-time' },
  revoked_at: { type: ['string', 'null'], format: 'date-time' },
};
const apiKey = { type: 'object', properties: keyProperties, required: Object.keys(keyProperties), additionalProperties: false };

const outboxEntry = {
  type: 'object',
  properties: {
    tenant_id: uuid,
    id: uuid,
    state: { type: 'string', enum: ['pending', 'submitted', 'dead'] },
    attempts: { type: 'integer', minimum: 0 },
    last_error: { type: ['string', 'null'] },
    junction_order_id: { type: ['string', 'null'] },
    updated_at: timestamp,
  },
  required: ['tenant_id', 'id', 'state', 'attempts', 'last_error', 'junction_order_id', 'updated_at'],
};

const listOf = (item: object) => ({ type: 'object', properties: { data: { type: 'array', items: item } }, required: ['data'] });

export const ADMIN_SCHEMAS = {
  'admin.error': {
    title: '/admin error (any 4xx/5xx)',
    type: 'object',
    properties: { error: { type: 'string' }, message: { type: 'string' } },
    required: ['error', 'message'],
  },
  'admin.tenant.request': { title: 'POST /admin/tenants request', type: 'object', properties: { name }, required: ['name'] },
  'admin.tenant': { title: 'A tenant', ...tenant },
  'admin.tenants': { title: 'GET /admin/tenants 200', ...listOf(tenant) },
  'admin.api-key.request': {
    title: 'POST /admin/api-keys request',
    type: 'object',
    properties: {
      tenant_id: uuid,
      name,
      scopes: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'SMART v2 scopes such as system/Patient.cruds or system/*.rs, and admin' },
    },
    required: ['tenant_id', 'name', 'scopes'],
  },
  'admin.api-key.created': {
    title: 'POST /admin/api-keys 201: the only answer that shows the key',
    type: 'object',
    properties: { ...keyProperties, key: { type: 'string', pattern: '^fhk_[A-Za-z0-9_-]{43}$' } },
    required: [...Object.keys(keyProperties), 'key'],
    additionalProperties: false,
  },
  'admin.api-keys': { title: 'GET /admin/api-keys 200 (no key material)', ...listOf(apiKey) },
  'admin.api-keys.query': { type: 'object', properties: { tenant_id: { ...uuid, description: 'Only this tenant’s keys' } } },
  'admin.lab-orders': { title: 'GET /admin/lab-orders 200', ...listOf(outboxEntry) },
  'admin.lab-orders.query': {
    type: 'object',
    properties: { state: { type: 'string', enum: ['pending', 'submitted', 'dead'], description: 'The outbox state; `dead` orders need an operator' } },
    required: ['state'],
  },
};

export type AdminSchemaName = keyof typeof ADMIN_SCHEMAS;
