import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

test('a tenant and a key made over HTTP work at once, and the key is shown only when made', async () => {
  const tenant = await t.http
    .post('/admin/tenants')
    .send({ name: `Clinic ${randomUUID()}` })
    .expect(201);
  expect(tenant.body).toEqual({ id: expect.any(String), name: expect.stringMatching(/^Clinic /), created_at: expect.any(String) });
  const listed = await t.http.get('/admin/tenants').expect(200);
  expect(listed.body.data.map((x: { id: string }) => x.id)).toContain(tenant.body.id);

  const made = await t.http
    .post('/admin/api-keys')
    .send({ tenant_id: tenant.body.id, name: 'ehr', scopes: ['system/Patient.cruds'] })
    .expect(201);
  expect(made.body).toEqual({
    id: expect.any(String),
    key: expect.stringMatching(/^fhk_[A-Za-z0-9_-]{43}$/),
    tenant_id: tenant.body.id,
    name: 'ehr',
    scopes: ['system/Patient.cruds'],
    created_at: expect.any(String),
    last_used_at: null,
    revoked_at: null,
  });
  const created = await t.anonymous.post(`${FHIR_BASE}/Patient`).set('x-api-key', made.body.key).send({ resourceType: 'Patient' }).expect(201);
  // The new tenant's data is its own.
  await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}`).expect(404);

  const keys = await t.http.get(`/admin/api-keys?tenant_id=${tenant.body.id}`).expect(200);
  expect(keys.body.data).toHaveLength(1);
  expect(JSON.stringify(keys.body)).not.toContain(made.body.key);
  expect(Object.keys(keys.body.data[0]).sort()).toEqual(['created_at', 'id', 'last_used_at', 'name', 'revoked_at', 'scopes', 'tenant_id']);

  await t.http.delete(`/admin/api-keys/${made.body.id}`).expect(204);
  await t.anonymous.get(`${FHIR_BASE}/Patient`).set('x-api-key', made.body.key).expect(401);
  await t.http.delete(`/admin/api-keys/${made.body.id}`).expect(404);
});

test.each([
  [{ name: '' }, 'tenants', 'name'],
  [{ tenant_id: 'nope', name: 'x', scopes: ['system/*.rs'] }, 'api-keys', 'tenant_id'],
  [{ tenant_id: '00000000-0000-0000-0000-000000000001', name: 'x', scopes: [] }, 'api-keys', 'scopes'],
  [{ tenant_id: '00000000-0000-0000-0000-000000000001', name: 'x', scopes: ['system/Patient.rc'] }, 'api-keys', 'system/Patient.rc'],
])('a bad body %j for /admin/%s answers 400 naming %s', async (body, path, named) => {
  const res = await t.http.post(`/admin/${path}`).send(body);
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ error: 'validation_error', message: expect.stringContaining(named) });
});

test('unknown tenants and key ids answer 404', async () => {
  const res = await t.http.post('/admin/api-keys').send({ tenant_id: randomUUID(), name: 'x', scopes: ['system/*.rs'] });
  expect(res.status).toBe(404);
  await t.http.delete('/admin/api-keys/not-a-uuid').expect(404);
});
