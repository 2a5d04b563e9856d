import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const batch = (entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'batch', entry });
const post = (body: Bundle) => t.http.post(FHIR_BASE).set('content-type', 'application/fhir+json').send(body);

test('a batch answers each entry on its own: one failure leaves the others committed', async () => {
  const existing = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient' });
  const res = await post(
    batch([
      { resource: { resourceType: 'Patient', name: [{ family: 'First' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
      { request: { method: 'GET', url: `Patient/${randomUUID()}` } },
      {
        resource: { resourceType: 'Patient', id: existing.body.id, active: true },
        request: { method: 'PUT', url: `Patient/${existing.body.id}`, ifMatch: 'W/"1"' },
      },
      { request: { method: 'GET', url: `Patient/${existing.body.id}` } },
    ]),
  );

  expect(res.status).toBe(200);
  expect(res.body.type).toBe('batch-response');
  const entries = res.body.entry as BundleEntry[];
  expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '422 Unprocessable Entity', '404 Not Found', '200 OK', '200 OK']);
  expect(entries[1]?.response?.outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] });
  expect(entries[1]?.resource).toBeUndefined();
  expect(entries[2]?.response?.outcome?.issue?.[0]?.code).toBe('not-found');
  // Batch entries run in the transaction's phases: the GET sees the PUT.
  expect(entries[4]?.resource).toMatchObject({ active: true, meta: { versionId: '2' } });

  const first = await t.http.get(`${FHIR_BASE}/Patient/${entries[0]?.resource?.id}`);
  expect(first.body.name[0].family).toBe('First');
});

test('a batch does not resolve urn:uuid references between its entries', async () => {
  const urn = `urn:uuid:${randomUUID()}`;
  const res = await post(
    batch([
      { fullUrl: urn, resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      {
        resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: urn } },
        request: { method: 'POST', url: 'ServiceRequest' },
      },
    ]),
  );
  expect(res.status).toBe(200);
  const [, request] = res.body.entry as BundleEntry[];
  const subject = (request?.resource as { subject?: { reference?: string } } | undefined)?.subject?.reference;
  expect(subject).not.toMatch(/^Patient\//);
});

test('a batch entry with a stale ifMatch fails alone with 412', async () => {
  const created = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient' });
  const res = await post(
    batch([
      { request: { method: 'DELETE', url: `Patient/${created.body.id}`, ifMatch: 'W/"7"' } },
      { resource: { resourceType: 'Practitioner' }, request: { method: 'POST', url: 'Practitioner' } },
    ]),
  );
  expect(res.body.entry.map((e: BundleEntry) => e.response?.status)).toEqual(['412 Precondition Failed', '201 Created']);
  expect((await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}`)).status).toBe(200);
});

test('an empty batch answers an empty batch-response', async () => {
  const res = await post({ resourceType: 'Bundle', type: 'batch' });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ resourceType: 'Bundle', type: 'batch-response', entry: [] });
});

const statusesOf = (res: { body: Bundle }): (string | undefined)[] => (res.body.entry ?? []).map((e) => e.response?.status);

test("a batch runs in the transaction's phases, a phase's entries together: its creates are one statement", async () => {
  const system = `urn:example:${randomUUID()}`;
  const gone = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient' });
  const creates: BundleEntry[] = Array.from({ length: 6 }, (_, i) => ({
    resource: { resourceType: 'Patient', identifier: [{ system, value: `b-${i}` }], name: [{ family: `Phase${i}` }] },
    request: { method: 'POST', url: 'Patient' },
  }));
  const bundle = batch([
    { request: { method: 'GET', url: `Patient?identifier=${encodeURIComponent(`${system}|b-3`)}` } },
    ...creates,
    { request: { method: 'GET', url: `Patient/${gone.body.id}` } },
    { request: { method: 'DELETE', url: `Patient/${gone.body.id}` } },
  ]);
  let res: { status: number; body: Bundle } | undefined;
  const inserts = await statementsDuring(
    t,
    // New resources' statement (an update's or a deletion's begins `WITH input`).
    (sql) => /WITH inserted AS \(\s*INSERT INTO resources\b/.test(sql),
    async () => {
      res = await post(bundle);
    },
  );
  expect(res?.status).toBe(200);
  expect(statusesOf(res!)).toEqual(['200 OK', ...Array<string>(6).fill('201 Created'), '410 Gone', '200 OK']);
  // Before this, every entry ran alone in a transaction of its own: six statements.
  expect(inserts).toHaveLength(1);
  const entries = res!.body.entry ?? [];
  expect(entries.slice(1, 7).map((e) => (e.resource as { name: { family: string }[] }).name[0]?.family)).toEqual(creates.map((_, i) => `Phase${i}`));
  // The search runs after the creates, as a transaction's GETs do.
  const found = entries[0]?.resource as Bundle;
  expect(found.entry?.map((e) => e.resource?.id)).toEqual([entries[4]?.resource?.id]);
});

test('a batch of more entries than run at once answers each in its place, a failure only its own', async () => {
  const tag = randomUUID().slice(0, 8);
  const entries: BundleEntry[] = Array.from({ length: 120 }, (_, i) => ({
    resource: i === 77 ? { resourceType: 'Patient', birthDate: 'not-a-date' } : { resourceType: 'Patient', name: [{ family: `Many${tag}${i}` }] },
    request: { method: 'POST', url: 'Patient' },
  }));
  const res = await post(batch(entries));
  expect(res.status).toBe(200);
  const answers = res.body.entry as BundleEntry[];
  expect(answers.map((e) => e.response?.status)).toEqual(entries.map((_, i) => (i === 77 ? '422 Unprocessable Entity' : '201 Created')));
  answers.forEach((answer, i) => {
    if (i !== 77) expect((answer.resource as { name: { family: string }[] }).name[0]?.family).toBe(`Many${tag}${i}`);
  });
  const stored = await t.http.get(`${FHIR_BASE}/Patient`).query({ family: `Many${tag}`, _summary: 'count' });
  expect(stored.body.total).toBe(119);
});

test('two PUTs of one resource in a batch are both written, one after the other', async () => {
  const id = randomUUID();
  const put = (family: string): BundleEntry => ({
    resource: { resourceType: 'Patient', id, name: [{ family }] },
    request: { method: 'PUT', url: `Patient/${id}` },
  });
  const res = await post(batch([put('Before'), put('After')]));
  expect(res.status).toBe(200);
  expect([...statusesOf(res)].sort()).toEqual(['200 OK', '201 Created']);
  const versions = ((res.body as Bundle).entry ?? []).map((e) => e.resource?.meta?.versionId).sort();
  expect(versions).toEqual(['1', '2']);
  const history = await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`);
  expect(history.body.total).toBe(2);
});

test('entries found by a search run after the others of their phase, one at a time, and see what those wrote', async () => {
  const system = `urn:example:${randomUUID()}`;
  const npi = `npi-${randomUUID()}`;
  const conditionalPatient: BundleEntry = {
    resource: { resourceType: 'Patient', identifier: [{ system, value: 'c-1' }], name: [{ family: 'Conditional' }] },
    request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${system}|c-1` },
  };
  const res = await post(
    batch([
      conditionalPatient,
      {
        resource: { resourceType: 'Patient', identifier: [{ system, value: 'c-1' }], name: [{ family: 'Plain' }] },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        resource: { resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner?identifier=${system}|${npi}` } },
        request: { method: 'POST', url: 'PractitionerRole' },
      },
      { resource: { resourceType: 'Practitioner', identifier: [{ system, value: npi }] }, request: { method: 'POST', url: 'Practitioner' } },
      conditionalPatient,
    ]),
  );
  expect(res.status).toBe(200);
  const answers = res.body.entry as BundleEntry[];
  expect(answers.map((e) => e.response?.status)).toEqual(['200 OK', '201 Created', '201 Created', '201 Created', '200 OK']);
  const plain = answers[1]?.resource?.id;
  expect([answers[0]?.resource?.id, answers[4]?.resource?.id]).toEqual([plain, plain]);
  expect((answers[2]?.resource as { practitioner?: { reference?: string } }).practitioner?.reference).toBe(`Practitioner/${answers[3]?.resource?.id}`);
  const patients = await t.http.get(`${FHIR_BASE}/Patient`).query({ identifier: `${system}|c-1` });
  expect(patients.body.total).toBe(1);
});
