import express, { type Request, type Router } from 'express';
import type { Admin } from '../auth/admin';
import type { AdminSchemaName } from '../auth/admin-schemas';
import { statusOf } from '../problems/outcomes';
import { insufficientScope } from '../problems/problem';
import type { DocumentedApi } from '../route-doc';
import { jsonGuard, jsonParser } from './json-guard';

type AdminRoute = DocumentedApi<AdminSchemaName>['routes'][number] & { handle(admin: Admin, req: Request): Promise<unknown> };

const badTenantName = { badRequest: { description: 'validation_error: name is missing, blank or over 200 characters' } };

/** The admin API's routes: the router mounts them and the OpenAPI document describes them. */
const ADMIN_ROUTES: AdminRoute[] = [
  {
    method: 'post',
    path: '/tenants',
    handle: (admin, req) => admin.createTenant(req.body),
    doc: {
      operationId: 'createTenant',
      summary: 'Create a tenant',
      body: 'admin.tenant.request',
      reply: { kind: 'created', description: 'The tenant', schema: 'admin.tenant' },
      failures: badTenantName,
    },
  },
  {
    method: 'get',
    path: '/tenants',
    handle: async (admin) => ({ data: await admin.listTenants() }),
    doc: { operationId: 'listTenants', summary: 'List tenants', reply: { kind: 'ok', description: 'Every tenant', schema: 'admin.tenants' } },
  },
  {
    method: 'post',
    path: '/api-keys',
    handle: (admin, req) => admin.createKey(req.body),
    doc: {
      operationId: 'createApiKey',
      summary: 'Create an API key',
      description: 'The answer is the only time the key is shown: the server keeps only its keyed hash.',
      body: 'admin.api-key.request',
      reply: { kind: 'created', description: 'The key, with its value', schema: 'admin.api-key.created' },
      failures: {
        badRequest: { description: 'validation_error: tenant_id, name or scopes is missing or malformed; the message names it' },
        notFound: { description: 'not_found: no tenant has this tenant_id' },
      },
    },
  },
  {
    method: 'get',
    path: '/api-keys',
    handle: async (admin, req) => ({ data: await admin.listKeys(queryValue(req, 'tenant_id')) }),
    doc: {
      operationId: 'listApiKeys',
      summary: 'List API keys',
      query: 'admin.api-keys.query',
      reply: { kind: 'ok', description: 'The keys, without key material', schema: 'admin.api-keys' },
      failures: { badRequest: { description: 'invalid_parameter: tenant_id is not a UUID' } },
    },
  },
  {
    method: 'get',
    path: '/lab-orders',
    handle: async (admin, req) => ({ data: await admin.labOrders(queryValue(req, 'state')) }),
    doc: {
      operationId: 'listLabOrderSubmissions',
      summary: 'List lab order submissions in one outbox state',
      description: 'Every tenant’s, newest first, at most 100.',
      query: 'admin.lab-orders.query',
      reply: { kind: 'ok', description: 'The submissions', schema: 'admin.lab-orders' },
      failures: { badRequest: { description: 'invalid_parameter: state is missing or not pending, submitted or dead' } },
    },
  },
  {
    method: 'delete',
    path: '/api-keys/:id',
    handle: (admin, req) => admin.revokeKey((req.params as Record<string, string>).id ?? ''),
    doc: {
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      description: 'At once in this process, within API_KEY_CACHE_SECONDS in others.',
      reply: { kind: 'noContent', description: 'Revoked' },
      failures: { notFound: { description: 'not_found: no active key has this id' } },
    },
  },
];

/** `/admin/tenants`, `/admin/api-keys` and `/admin/lab-orders`, for callers whose scopes include `admin`. */
export const ADMIN_API: DocumentedApi<AdminSchemaName> = {
  tag: 'Administration',
  description: 'Tenants and API keys (scope `admin`; docs/security.md). Errors are `{ error, message }`.',
  prefixes: ['/admin'],
  errors: { default: 'admin.error' },
  refusesOtherMediaTypes: false,
  routes: ADMIN_ROUTES,
};

export function adminRouter(admin: Admin, bodyLimit: string): Router {
  const router = express.Router();
  router.use((req, _res, next) => {
    if (!req.principal?.scopes.admin) throw insufficientScope('The admin API needs the admin scope');
    next();
  });
  router.use(jsonParser({ limit: bodyLimit }), jsonGuard);
  for (const route of ADMIN_ROUTES) {
    router[route.method](route.path, async (req, res) => {
      const body = await route.handle(admin, req);
      res.status(statusOf(route.doc.reply.kind));
      if (route.doc.reply.schema) res.json(body);
      else res.end();
    });
  }
  return router;
}

function queryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}
