import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { expectDocumented } from '../helpers/schema-assert';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const patient = (overrides: Record<string, unknown> = {}) => ({
  brand_id: `brand_${randomUUID()}`,
  first_name: 'Dup',
  last_name: 'Licate',
  email: `dup.${randomUUID()}@example.com`,
  external_ids: { shopify: `cus_${randomUUID()}` },
  ...overrides,
});

async function post(body: unknown, app: TestApp = t) {
  const res = await app.http.post('/v1/patients').send(body as object);
  expectDocumented(res, 'patients');
  return res;
}

function expectDuplicate(res: { status: number; body: { error: string; message: string } }, ...secrets: string[]): void {
  expect(res.status).toBe(409);
  expect(res.body.error).toBe('duplicate_patient');
  for (const secret of secrets) expect(res.body.message.toLowerCase()).not.toContain(secret.toLowerCase());
}

test('the same email in the same brand, in any case, answers 409 without the email', async () => {
  const first = patient();
  expect((await post(first)).status).toBe(201);
  const res = await post(patient({ brand_id: first.brand_id, email: first.email.toUpperCase() }));
  expectDuplicate(res, first.email);
  expect(res.body.message).toBe('a patient with this email already exists for this brand');
});

test('a shared external_ids entry in the same brand answers 409 without the value', async () => {
  const first = patient();
  expect((await post(first)).status).toBe(201);
  const res = await post(patient({ brand_id: first.brand_id, external_ids: { other: 'x', ...first.external_ids } }));
  expectDuplicate(res, first.external_ids.shopify);
});

test('the same email and external id in another brand or tenant is a new patient', async () => {
  const first = patient();
  expect((await post(first)).status).toBe(201);
  expect((await post({ ...first, brand_id: `brand_${randomUUID()}` })).status).toBe(201);
  expect((await post(first, await t.otherTenant())).status).toBe(201);
});

test('the same external id value under another key is not a duplicate', async () => {
  const first = patient();
  expect((await post(first)).status).toBe(201);
  expect((await post(patient({ brand_id: first.brand_id, external_ids: { crm: first.external_ids.shopify } }))).status).toBe(201);
});

test('eight identical POSTs at once: exactly one 201, seven 409', async () => {
  const body = patient();
  const responses = await Promise.all(Array.from({ length: 8 }, () => post(body)));
  const statuses = responses.map((r) => r.status).sort();
  expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  for (const res of responses.filter((r) => r.status === 409)) expectDuplicate(res, body.email);
});
