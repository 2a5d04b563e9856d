import type { Patient, ServiceRequest } from '@medplum/fhirtypes';
import { OperationOutcomeError } from '../../src/problems/outcomes';
import { checksForeignTargets, orderFor } from '../helpers/reference-checks';
import { statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
/** Another server on the same database and tenant, as another process: it knows nothing of what `t` wrote. */
let other: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  other = await t.sameTenantInstance();
});
afterAll(async () => {
  await other.close();
  await t.close();
});

/** The reads of a resource's current version before a write over it, locked or not. */
const readsCurrentVersion = (sql: string): boolean => sql.includes('version_id, last_updated, created_at, deleted FROM resources');

const patient = (family: string, id?: string): Patient => ({ resourceType: 'Patient', ...(id ? { id } : {}), name: [{ family }] });

const created = async (app: TestApp, family: string): Promise<string> =>
  (await app.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send(patient(family)).expect(201)).body.id as string;

const put = (app: TestApp, id: string, family: string, ifMatch?: string) => {
  const request = app.http.put(`${FHIR_BASE}/Patient/${id}`).set('content-type', 'application/fhir+json');
  return (ifMatch ? request.set('if-match', `W/"${ifMatch}"`) : request).send(patient(family, id));
};

const current = async (id: string): Promise<{ versionId: string; family: string }> => {
  const read = await t.http.get(`${FHIR_BASE}/Patient/${id}`).expect(200);
  return { versionId: read.body.meta.versionId, family: read.body.name[0].family };
};

const historyTotal = async (id: string): Promise<number> => (await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`).expect(200)).body.total;

test('an update and a deletion of a resource this server wrote last read no current version first', async () => {
  const id = await created(t, 'Written');
  const reads = await statementsDuring(t, readsCurrentVersion, async () => {
    expect((await put(t, id, 'Rewritten').expect(200)).body.meta.versionId).toBe('2');
    await t.http.delete(`${FHIR_BASE}/Patient/${id}`).expect(200);
  });
  expect(reads).toEqual([]);
  await t.http.get(`${FHIR_BASE}/Patient/${id}`).expect(410);
  const history = await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`).expect(200);
  expect(history.body.entry.map((e: { resource?: Patient }) => e.resource?.name?.[0]?.family)).toEqual([undefined, 'Rewritten', 'Written']);
});

test('an update of a resource another server wrote reads its current version', async () => {
  const id = await created(other, 'Elsewhere');
  const reads = await statementsDuring(t, readsCurrentVersion, () => put(t, id, 'Here').expect(200));
  expect(reads).toHaveLength(1);
  expect(await current(id)).toEqual({ versionId: '2', family: 'Here' });
});

test('a version another server wrote since is neither lost nor overwritten: the update follows it', async () => {
  const id = await created(t, 'First');
  await put(other, id, 'Second').expect(200);
  expect((await put(t, id, 'Third').expect(200)).body.meta.versionId).toBe('3');
  expect(await current(id)).toEqual({ versionId: '3', family: 'Third' });
  expect(await historyTotal(id)).toBe(3);
});

test('If-Match is checked against the current version, not the one this server wrote last', async () => {
  const id = await created(t, 'First');
  await put(other, id, 'Second').expect(200);
  // Names the current version, which this server did not write: it holds.
  expect((await put(t, id, 'Third', '2').expect(200)).body.meta.versionId).toBe('3');
  await put(other, id, 'Fourth').expect(200);
  // Names the version this server wrote last, no longer the current one: it fails, nothing written.
  const stale = await put(t, id, 'Fifth', '3').expect(412);
  expect(stale.body.resourceType).toBe('OperationOutcome');
  expect(await current(id)).toEqual({ versionId: '4', family: 'Fourth' });
});

test('a deletion this server wrote, undone by another server since, is deleted again', async () => {
  const id = await created(t, 'Deleted');
  await t.http.delete(`${FHIR_BASE}/Patient/${id}`).expect(200);
  expect((await put(other, id, 'Restored').expect(201)).body.meta.versionId).toBe('3');
  await t.http.delete(`${FHIR_BASE}/Patient/${id}`).expect(200);
  await t.http.get(`${FHIR_BASE}/Patient/${id}`).expect(410);
  expect(await historyTotal(id)).toBe(4);
});

test('a version written inside a transaction is not taken for the current one: the next update reads it', async () => {
  const id = await created(t, 'Before');
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [{ resource: patient('InTransaction', id), request: { method: 'PUT', url: `Patient/${id}` } }],
  };
  await t.http.post(FHIR_BASE).set('content-type', 'application/fhir+json').send(bundle).expect(200);
  const writesVersions = (sql: string): boolean => sql.startsWith('/* resource versions */');
  const statements = await statementsDuring(
    t,
    (sql) => readsCurrentVersion(sql) || writesVersions(sql),
    () => put(t, id, 'After').expect(200),
  );
  // One read, one write: not a write over a version that is no longer current, refused, then done again.
  expect(statements.map((s) => (writesVersions(s.sql) ? 'write' : 'read'))).toEqual(['read', 'write']);
  expect(await current(id)).toEqual({ versionId: '3', family: 'After' });
});

test('parallel updates from this server over the version it wrote: each its own version, none lost', async () => {
  const id = await created(t, 'Start');
  const families = Array.from({ length: 6 }, (_, i) => `Parallel${i}`);
  const answers = await Promise.all(families.map((family) => put(t, id, family)));
  expect(answers.map((a) => a.status)).toEqual(families.map(() => 200));
  expect(new Set(answers.map((a) => a.body.meta.versionId))).toEqual(new Set(['2', '3', '4', '5', '6', '7']));
  expect(await historyTotal(id)).toBe(7);
  const last = answers.find((a) => a.body.meta.versionId === '7')!;
  expect((await current(id)).family).toBe(last.body.name[0].family);
});

test('references to resources this server wrote for the tenant are not checked against other tenants; others are', async () => {
  const ours = await created(t, 'Ours');
  const theirs = await created(other, 'Written elsewhere');
  const post = (body: ServiceRequest) => t.http.post(`${FHIR_BASE}/ServiceRequest`).set('content-type', 'application/fhir+json').send(body).expect(201);
  expect(await statementsDuring(t, checksForeignTargets, () => post(orderFor(ours)))).toEqual([]);
  expect(await statementsDuring(t, checksForeignTargets, () => post(orderFor(theirs)))).toHaveLength(1);
});

test('a resource this server wrote for one tenant is still another tenant’s to the first: the reference is refused', async () => {
  // The second tenant closes with `t`: they share its database.
  const second = await t.otherTenant();
  const serviceFor = t.serviceFactory();
  const theirs = (await serviceFor(second.tenantId).create(patient('Theirs'))).resource.id!;
  const refusal = await serviceFor(t.tenantId)
    .create(orderFor(theirs))
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(refusal).toBeInstanceOf(OperationOutcomeError);
  expect((refusal as OperationOutcomeError).outcome.kind).toBe('unprocessable');
  expect((refusal as OperationOutcomeError).message).toBe(`Patient/${theirs} is not a resource of this tenant and cannot be referenced`);
});
