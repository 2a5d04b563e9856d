import express, { type Request, type Router } from 'express';
import type { Admin } from '../auth/admin';
import { statusOf } from '../problems/outcomes';
import { insufficientScope } from '../problems/problem';
import { jsonGuard, jsonParser } from './json-guard';

/** `/admin/tenants` and `/admin/api-keys`, for callers whose scopes include `admin`. */
export function adminRouter(admin: Admin, bodyLimit: string): Router {
  const router = express.Router();
  router.use((req, _res, next) => {
    if (!req.principal?.scopes.admin) throw insufficientScope('The admin API needs the admin scope');
    next();
  });
  router.use(jsonParser({ limit: bodyLimit }), jsonGuard);
  router.post('/tenants', async (req, res) => {
    res.status(statusOf('created')).json(await admin.createTenant(req.body));
  });
  router.get('/tenants', async (_req, res) => {
    res.json({ data: await admin.listTenants() });
  });
  router.post('/api-keys', async (req, res) => {
    res.status(statusOf('created')).json(await admin.createKey(req.body));
  });
  router.get('/api-keys', async (req, res) => {
    res.json({ data: await admin.listKeys(queryValue(req, 'tenant_id')) });
  });
  router.get('/lab-orders', async (req, res) => {
    res.json({ data: await admin.labOrders(queryValue(req, 'state')) });
  });
  router.delete('/api-keys/:id', async (req, res) => {
    await admin.revokeKey(req.params.id ?? '');
    res.status(statusOf('noContent')).end();
  });
  return router;
}

function queryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}
