import { randomUUID } from 'node:crypto';
import type { Access, ServiceHooks } from '../../src/fhir/access';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/** Records every access the hooks see; `refuse` makes `before` throw for matching accesses. */
class Recorder implements ServiceHooks {
  before_: Access[] = [];
  committed: Access[] = [];
  stored: Access[] = [];
  refuse?: (access: Access) => boolean;
  hidden = new Set<string>();

  before(access: Access): void {
    this.before_.push(access);
    if (this.refuse?.(access)) throw Object.assign(new Error('refused by hook'), { refused: true });
  }
  async onStored(access: Access): Promise<void> {
    this.stored.push(access);
  }
  afterCommit(access: Access): void {
    this.committed.push(access);
  }
  mayInclude(resourceType: string): boolean {
    return !this.hidden.has(resourceType);
  }
  reset(): void {
    this.before_ = [];
    this.committed = [];
    this.stored = [];
    this.refuse = undefined;
    this.hidden.clear();
  }
}

const recorder = new Recorder();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ hooks: [recorder] });
});
afterAll(() => t.close());
beforeEach(() => recorder.reset());

const kinds = (accesses: Access[]): string[] => accesses.map((a) => `${a.kind} ${a.resourceType}`);

async function createPatient(family = `Hook${randomUUID().slice(0, 8)}`): Promise<string> {
  const res = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', name: [{ family }] });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('every access passes the hooks, whatever door it comes through', () => {
  test('REST create, read, vread, history, search, patch and delete', async () => {
    const id = await createPatient();
    await t.http.get(`${FHIR_BASE}/Patient/${id}`).expect(200);
    await t.http.get(`${FHIR_BASE}/Patient/${id}/_history/1`).expect(200);
    await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`).expect(200);
    await t.http.get(`${FHIR_BASE}/Patient?_id=${id}`).expect(200);
    await t.http
      .patch(`${FHIR_BASE}/Patient/${id}`)
      .set('content-type', 'application/json-patch+json')
      .send([{ op: 'add', path: '/active', value: true }])
      .expect(200);
    await t.http.delete(`${FHIR_BASE}/Patient/${id}`).expect(200);
    const expected = ['create Patient', 'read Patient', 'vread Patient', 'history Patient', 'search Patient', 'patch Patient', 'delete Patient'];
    expect(kinds(recorder.before_)).toEqual(expected);
    expect(kinds(recorder.committed)).toEqual(expected);
    expect(kinds(recorder.stored)).toEqual(['create Patient', 'patch Patient']);
    expect(recorder.committed[1]).toMatchObject({ id });
  });

  test('transaction entries, conditional references included, each pass the hooks', async () => {
    const family = `Tx${randomUUID().slice(0, 8)}`;
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:1', resource: { resourceType: 'Organization', name: family }, request: { method: 'POST', url: 'Organization' } },
        {
          resource: { resourceType: 'Patient', name: [{ family }], managingOrganization: { reference: 'urn:uuid:1' } },
          request: { method: 'POST', url: 'Patient', ifNoneExist: `family=${family}` },
        },
      ],
    };
    await t.http.post(FHIR_BASE).send(bundle).expect(200);
    // Conditional creates run first; plain creates, their ids assigned up front, are written together after them.
    const executed = ['search Patient', 'create Patient', 'create Organization'];
    // A transaction asks every entry's `before` first (all or nothing), then runs them.
    expect(kinds(recorder.before_)).toEqual(['create Organization', 'create Patient', 'search Patient', ...executed]);
    expect(kinds(recorder.committed)).toEqual(executed);
  });

  test('/v1 writes and reads reach the same hooks', async () => {
    const patient = { brand_id: 'hooks', first_name: 'Ada', last_name: 'Hook', email: `${randomUUID()}@example.com` };
    const created = await t.http.post('/v1/patients').send(patient).expect(201);
    await t.http.get(`/v1/patients/${created.body.id}`).expect(200);
    await t.http.get('/v1/clinician-profiles?search=nobody').expect(200);
    // No practitioner matches, so no role search follows.
    expect(kinds(recorder.before_)).toEqual(['create Patient', 'read Patient', 'search Practitioner']);
  });
});

describe('what the hook points promise', () => {
  test('a refusing before-hook stops a write before anything is stored', async () => {
    const family = `Refused${randomUUID().slice(0, 8)}`;
    recorder.refuse = (access) => access.kind === 'create';
    const res = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', name: [{ family }] });
    expect(res.status).toBe(500);
    recorder.refuse = undefined;
    const found = await t.http.get(`${FHIR_BASE}/Patient?family=${family}`).expect(200);
    expect(found.body.total).toBe(0);
    expect(kinds(recorder.committed)).toEqual(['search Patient']);
  });

  test('a rolled-back transaction reports nothing after commit', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: 'Rollback' }] }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: `Patient/${randomUUID()}` } },
      ],
    };
    const res = await t.http.post(FHIR_BASE).send(bundle);
    expect(res.status).toBe(404);
    expect(kinds(recorder.stored)).toEqual(['create Patient']);
    expect(recorder.committed).toEqual([]);
  });

  test('_include leaves out the types a hook does not allow', async () => {
    const org = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: `Inc${randomUUID().slice(0, 8)}` });
    const patient = await t.http
      .post(`${FHIR_BASE}/Patient`)
      .send({ resourceType: 'Patient', managingOrganization: { reference: `Organization/${org.body.id}` } });
    const query = `${FHIR_BASE}/Patient?_id=${patient.body.id}&_include=Patient:organization`;
    const shown = await t.http.get(query).expect(200);
    expect(shown.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Patient', 'Organization']);
    recorder.hidden.add('Organization');
    const hidden = await t.http.get(query).expect(200);
    expect(hidden.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Patient']);
  });
});
