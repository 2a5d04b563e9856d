import type { Knex } from 'knex';
import { invalidField, notFoundProblem } from '../problems/problem';
import { countActiveApiKeys, insertApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from '../store/api-keys';
import { listOutbox } from '../store/lab-outbox';
import { createTenant, listTenants, tenantExists, type TenantRow } from '../store/tenants';
import { generateApiKey, hashApiKey } from './api-key-material';
import { parseScopes, ScopeError } from './scopes';
import { isUuid } from '../uuid-text';

export interface AdminDeps {
  knex: Knex;
  pepper: string;
  /** Told of each revoked key, so this process stops accepting it at once. */
  onRevoke?: (keyId: string) => void;
}

/**
 * Tenants and API keys (`/admin/*`, scope `admin`; docs/security.md). A key is shown as stored
 * (never its hash), its value only in the answer that created it.
 */
export class Admin {
  constructor(private readonly deps: AdminDeps) {}

  createTenant(body: unknown): Promise<TenantRow> {
    return createTenant(this.deps.knex, nameOf(body));
  }

  listTenants(): Promise<TenantRow[]> {
    return listTenants(this.deps.knex);
  }

  /** A new key: the only time its value is shown. */
  async createKey(body: unknown): Promise<ApiKeyRow & { key: string }> {
    const fields = objectOf(body);
    const tenantId = fields.tenant_id;
    if (typeof tenantId !== 'string' || !isUuid(tenantId)) throw invalidField('tenant_id', 'tenant_id must be the id of a tenant');
    if (!(await tenantExists(this.deps.knex, tenantId))) throw notFoundProblem('No tenant exists with this tenant_id', 'tenant_id');
    const scopes = scopesOf(fields.scopes);
    const key = generateApiKey();
    const row = await insertApiKey(this.deps.knex, { tenantId, name: nameOf(body), scopes, keyHash: hashApiKey(key, this.deps.pepper) });
    return { ...row, key };
  }

  async listKeys(tenantId: string | undefined): Promise<ApiKeyRow[]> {
    if (tenantId !== undefined && !isUuid(tenantId)) throw invalidField('tenant_id', 'tenant_id must be a tenant id', 'invalid_parameter');
    return listApiKeys(this.deps.knex, tenantId);
  }

  /** Revokes at once in this process, within the key cache's lifetime elsewhere. */
  async revokeKey(id: string): Promise<void> {
    if (!isUuid(id) || !(await revokeApiKey(this.deps.knex, id))) throw notFoundProblem('No active API key exists with this id', 'id');
    this.deps.onRevoke?.(id);
  }

  /** Lab orders in one outbox state, newest first: `dead` ones need an operator. */
  async labOrders(state: string | undefined): Promise<unknown[]> {
    if (state !== 'pending' && state !== 'submitted' && state !== 'dead')
      throw invalidField('state', 'state must be pending, submitted or dead', 'invalid_parameter');
    return (await listOutbox(this.deps.knex, state)).map((row) => ({
      tenant_id: row.tenantId,
      id: row.serviceRequestId,
      state: row.state,
      attempts: row.attempts,
      last_error: row.lastError,
      junction_order_id: row.junctionOrderId,
      updated_at: row.updatedAt,
    }));
  }

  hasKeys(): Promise<boolean> {
    return countActiveApiKeys(this.deps.knex).then((n) => n > 0);
  }
}

function objectOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidField(undefined, 'The request body must be a JSON object');
  return body as Record<string, unknown>;
}

function nameOf(body: unknown): string {
  const name = objectOf(body).name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200)
    throw invalidField('name', 'name must be a non-empty string of at most 200 characters');
  return name;
}

function scopesOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => typeof s === 'string')) {
    throw invalidField('scopes', 'scopes must be a non-empty list of scopes, e.g. ["system/Patient.cruds"]');
  }
  try {
    return [...parseScopes(value as string[]).scopes];
  } catch (err) {
    if (err instanceof ScopeError) throw invalidField('scopes', err.message);
    throw err;
  }
}
