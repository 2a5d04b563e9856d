import { randomUUID } from 'node:crypto';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** The events of one request, once its batch is written (within about half a second). */
async function eventsOf(requestId: string, count = 1): Promise<AuditEvent[]> {
  for (let i = 0; i < 50; i++) {
    const bundle = (await t.http.get(`${FHIR_BASE}/AuditEvent?_count=1000`).expect(200)).body as Bundle<AuditEvent>;
    const events = (bundle.entry ?? []).map((e) => e.resource as AuditEvent).filter((e) => e.entity?.some((x) => x.what?.identifier?.value === requestId));
    if (events.length >= count) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no audit events for ${requestId}`);
}

test('a read is recorded BALP-style: who, what, when, outcome and request id — never the resource content', async () => {
  const family = `Secretname${randomUUID().slice(0, 6)}`;
  const created = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .send({ resourceType: 'Patient', name: [{ family }], birthDate: '1961-02-03' })
    .expect(201);
  const requestId = `audit-read-${randomUUID()}`;
  await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}`).set('x-request-id', requestId).expect(200);
  const [event] = await eventsOf(requestId);
  expect(event).toMatchObject({
    resourceType: 'AuditEvent',
    type: { code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
    action: 'R',
    outcome: '0',
    agent: [{ requestor: true, who: { identifier: { system: 'urn:fhir-facade:api-key' } } }],
  });
  expect(event?.entity?.[0]?.what?.reference).toBe(`Patient/${created.body.id}`);
  expect(Date.parse(event?.recorded ?? '')).toBeGreaterThan(Date.now() - 60_000);
  const text = JSON.stringify(event);
  for (const phi of [family, '1961-02-03', t.apiKey]) expect(text).not.toContain(phi);
});

test('a search is recorded with its parameter names and matches, not its values', async () => {
  const family = `Searchname${randomUUID().slice(0, 6)}`;
  const created = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .send({ resourceType: 'Patient', name: [{ family }] })
    .expect(201);
  const requestId = `audit-search-${randomUUID()}`;
  await t.http.get(`${FHIR_BASE}/Patient?family=${family}`).set('x-request-id', requestId).expect(200);
  const [event] = await eventsOf(requestId);
  expect(event).toMatchObject({ action: 'E', subtype: [{ code: 'search-type' }] });
  expect(event?.entity?.map((e) => e.what?.reference ?? e.description)).toEqual([`Patient/${created.body.id}`, 'Patient?family']);
  expect(JSON.stringify(event)).not.toContain(family);
});

test('writes, /v1 calls and failures are recorded; failures with outcome 4', async () => {
  const requestId = `audit-v1-${randomUUID()}`;
  const created = await t.http
    .post('/v1/patients')
    .set('x-request-id', requestId)
    .send({ brand_id: 'audit', first_name: 'Aud', last_name: 'It', email: `${randomUUID()}@example.com` })
    .expect(201);
  const [write] = await eventsOf(requestId);
  expect(write).toMatchObject({ action: 'C', outcome: '0', entity: [{ what: { reference: `Patient/${created.body.id}` } }, {}] });

  const missing = `audit-404-${randomUUID()}`;
  const id = randomUUID();
  await t.http.get(`${FHIR_BASE}/Practitioner/${id}`).set('x-request-id', missing).expect(404);
  const [failure] = await eventsOf(missing);
  expect(failure).toMatchObject({ action: 'R', outcome: '4', entity: [{ what: { reference: `Practitioner/${id}` } }, {}] });
});

test('the trail filters by entity and date, pages, and refuses parameters it does not serve', async () => {
  const created = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Audited' }).expect(201);
  const requestId = `audit-filter-${randomUUID()}`;
  await t.http.get(`${FHIR_BASE}/Organization/${created.body.id}`).set('x-request-id', requestId);
  await eventsOf(requestId);
  const byEntity = await t.http.get(`${FHIR_BASE}/AuditEvent?entity=Organization/${created.body.id}`).expect(200);
  expect(byEntity.body.total).toBe(2);
  const future = await t.http.get(`${FHIR_BASE}/AuditEvent?entity=Organization/${created.body.id}&date=ge2999-01-01`).expect(200);
  expect(future.body.total).toBe(0);
  const paged = await t.http.get(`${FHIR_BASE}/AuditEvent?_count=1`).expect(200);
  expect(paged.body.entry).toHaveLength(1);
  expect(paged.body.link.map((l: { relation: string }) => l.relation)).toContain('next');
  const bad = await t.http.get(`${FHIR_BASE}/AuditEvent?patient=x`);
  expect(bad.status).toBe(400);
  expect((await t.http.get(`${FHIR_BASE}/AuditEvent?date=2020`)).status).toBe(400);
});

test('event ids are time-ordered UUIDs: a later access has a later id', async () => {
  const first = `audit-order-${randomUUID()}`;
  const second = `audit-order-${randomUUID()}`;
  await t.http.get(`${FHIR_BASE}/Patient?_count=1`).set('x-request-id', first).expect(200);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await t.http.get(`${FHIR_BASE}/Patient?_count=1`).set('x-request-id', second).expect(200);
  const [[earlier], [later]] = await Promise.all([eventsOf(first), eventsOf(second)]);
  for (const event of [earlier, later]) expect(event?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(String(earlier?.id) < String(later?.id)).toBe(true);
});

/** Sends one batch of `count` reads of `reference`: one event each. */
async function readInOneBatch(reference: string, count: number): Promise<void> {
  const entry = Array.from({ length: count }, () => ({ request: { method: 'GET', url: reference } }));
  await t.http.post(FHIR_BASE).send({ resourceType: 'Bundle', type: 'batch', entry }).expect(200);
}

/** The trail's total for a query once at least `count` events are written (batches land within about half a second). */
async function totalOnceWritten(query: string, count: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const total = Number((await t.http.get(`${FHIR_BASE}/AuditEvent?${query}&_total=accurate&_count=0`).expect(200)).body.total);
    if (total >= count) return total;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fewer than ${count} events for ${query}`);
}

test('the trail counts up to 1,000 matches: past them total is left out unless _total=accurate, and pages still follow newest first', async () => {
  const org = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Audited often' }).expect(201);
  const query = `entity=Organization/${org.body.id}`;
  await readInOneBatch(`Organization/${org.body.id}`, 1000);
  const all = await totalOnceWritten(query, 1001);
  expect(all).toBe(1001);

  const first = (await t.http.get(`${FHIR_BASE}/AuditEvent?${query}&_count=600`).expect(200)).body as Bundle<AuditEvent>;
  expect(first.total).toBeUndefined();
  expect(first.link?.map((l) => l.relation)).toContain('next');
  const rest = (await t.http.get(`${FHIR_BASE}/AuditEvent?${query}&_count=600&_offset=600`).expect(200)).body as Bundle<AuditEvent>;
  expect(rest.total).toBeUndefined();
  const events = [...(first.entry ?? []), ...(rest.entry ?? [])].map((e) => e.resource as AuditEvent);
  expect(events).toHaveLength(1001);
  expect(new Set(events.map((e) => e.id)).size).toBe(1001);
  const newestFirst = events.map((e) => `${e.recorded}/${e.id}`);
  expect(newestFirst).toEqual([...newestFirst].sort().reverse());
  expect(events.at(-1)).toMatchObject({ action: 'C' });

  expect((await t.http.get(`${FHIR_BASE}/AuditEvent?${query}&_count=1&_total=accurate`).expect(200)).body.total).toBe(1001);
  expect((await t.http.get(`${FHIR_BASE}/AuditEvent?${query}&_count=1&_total=none`).expect(200)).body.total).toBeUndefined();
  const bad = await t.http.get(`${FHIR_BASE}/AuditEvent?${query}&_total=some`).expect(400);
  expect(bad.body.issue[0].expression).toEqual(['_total']);
});

test('up to 1,000 matches the page comes from them, newest first, with the exact total', async () => {
  const org = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Audited thrice' }).expect(201);
  const query = `entity=Organization/${org.body.id}`;
  await readInOneBatch(`Organization/${org.body.id}`, 2);
  await totalOnceWritten(query, 3);
  const pages = await Promise.all([0, 1, 2, 3].map((offset) => t.http.get(`${FHIR_BASE}/AuditEvent?${query}&_count=1&_offset=${offset}`).expect(200)));
  expect(pages.map((p) => p.body.total)).toEqual([3, 3, 3, 3]);
  const events = pages.flatMap((p) => ((p.body as Bundle<AuditEvent>).entry ?? []).map((e) => e.resource as AuditEvent));
  expect(events.map((e) => e.action)).toEqual(['R', 'R', 'C']);
  expect(String(events[0]?.id) > String(events[1]?.id)).toBe(true);
  expect(pages.map((p) => p.body.link.some((l: { relation: string }) => l.relation === 'next'))).toEqual([true, true, false, false]);
});
