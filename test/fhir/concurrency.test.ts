import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

test('eight concurrent updates from the same version: exactly one wins, the rest answer 412', async () => {
  const created = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient', active: true });
  const id = created.body.id as string;
  const attempts = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      t.http
        .put(`${FHIR_BASE}/Patient/${id}`)
        .set('content-type', 'application/fhir+json')
        .set('if-match', 'W/"1"')
        .send({ resourceType: 'Patient', id, name: [{ family: `Writer${i}` }] }),
    ),
  );
  const statuses = attempts.map((r) => r.status).sort();
  expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
  const history = await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`);
  expect(history.body.total).toBe(2);
  const winner = attempts.find((r) => r.status === 200)!;
  expect((await t.http.get(`${FHIR_BASE}/Patient/${id}`)).body.name).toEqual(winner.body.name);
});

test('concurrent updates without If-Match each get their own version; none is lost', async () => {
  const created = await t.http
    .post(`${FHIR_BASE}/Organization`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Organization', name: 'start' });
  const id = created.body.id as string;
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      t.http
        .put(`${FHIR_BASE}/Organization/${id}`)
        .set('content-type', 'application/fhir+json')
        .send({ resourceType: 'Organization', id, name: `n${i}` }),
    ),
  );
  expect(results.every((r) => r.status === 200)).toBe(true);
  const versions = results.map((r) => Number(r.body.meta.versionId)).sort((a, b) => a - b);
  expect(versions).toEqual([2, 3, 4, 5, 6, 7]);
  // Each version is in the history once, newest first, with what was written as that version.
  const written = new Map<string, string>([['1', 'start'], ...results.map((r): [string, string] => [r.body.meta.versionId, r.body.name])]);
  const history = await t.http.get(`${FHIR_BASE}/Organization/${id}/_history`).expect(200);
  const entries = (history.body.entry as { resource: { name: string; meta: { versionId: string } } }[]).map((e) => [
    e.resource.meta.versionId,
    e.resource.name,
  ]);
  expect(entries).toEqual(['7', '6', '5', '4', '3', '2', '1'].map((v) => [v, written.get(v)]));
  for (const [versionId, name] of written) expect((await t.http.get(`${FHIR_BASE}/Organization/${id}/_history/${versionId}`).expect(200)).body.name).toBe(name);
});

test('eight concurrent PUTs creating one new id: one creates it (201), the others update it; every version is kept', async () => {
  const id = `race-${Date.now()}`;
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      t.http
        .put(`${FHIR_BASE}/Patient/${id}`)
        .set('content-type', 'application/fhir+json')
        .send({ resourceType: 'Patient', id, name: [{ family: `Racer${i}` }] }),
    ),
  );
  expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
  expect(results.map((r) => Number(r.body.meta.versionId)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(results.find((r) => r.status === 201)!.body.meta.versionId).toBe('1');
  expect((await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`).expect(200)).body.total).toBe(8);
  // Indexed once, as its last version: the search finds it by that version's name only.
  const last = results.find((r) => r.body.meta.versionId === '8')!.body.name[0].family as string;
  const found = await t.http.get(`${FHIR_BASE}/Patient?_id=${id}&family=${last}`).expect(200);
  expect(found.body.total ?? found.body.entry?.length).toBe(1);
});

test('concurrent transactions each creating an id of its own and one shared id by PUT: each commits whole or answers 409 naming the shared one', async () => {
  const run = Date.now();
  const shared = `shared-${run}`;
  const own = (i: number): string => `own-${run}-${i}`;
  const bundle = (i: number) => ({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [own(i), shared].map((id) => ({
      resource: { resourceType: 'Patient', id, name: [{ family: `Tx${i}` }] },
      request: { method: 'PUT', url: `Patient/${id}` },
    })),
  });
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.http.post(FHIR_BASE).set('content-type', 'application/fhir+json').send(bundle(i))));
  const committed = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
  expect(committed.length).toBeGreaterThan(0);
  for (const [i, r] of results.entries()) {
    if (r.status === 200) {
      expect((await t.http.get(`${FHIR_BASE}/Patient/${own(i)}`).expect(200)).body.meta.versionId).toBe('1');
      continue;
    }
    // The resource a concurrent transaction created first, not the one of its own it failed with.
    expect(r.status).toBe(409);
    expect(r.body.issue[0].details.text).toContain(`Patient/${shared} `);
    await t.http.get(`${FHIR_BASE}/Patient/${own(i)}`).expect(404);
  }
  expect((await t.http.get(`${FHIR_BASE}/Patient/${shared}`).expect(200)).body.meta.versionId).toBe(String(committed.length));
});

test('a tenant cannot read, update or delete another tenant’s resource: 404', async () => {
  const other = await t.otherTenant();
  const created = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient' });
  const url = `${FHIR_BASE}/Patient/${created.body.id}`;
  expect((await other.http.get(url)).status).toBe(404);
  expect((await other.http.get(`${url}/_history/1`)).status).toBe(404);
  expect((await other.http.delete(url)).status).toBe(404);
  expect((await other.http.get(`${url}/_history`)).body.total).toBe(0);
  const ifMatch = await other.http
    .put(url)
    .set('content-type', 'application/fhir+json')
    .set('if-match', 'W/"1"')
    .send({ resourceType: 'Patient', id: created.body.id });
  expect(ifMatch.status).toBe(412);
  expect((await t.http.get(url)).body.meta.versionId).toBe('1');
});
