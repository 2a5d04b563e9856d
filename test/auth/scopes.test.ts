import { randomUUID } from 'node:crypto';
import { parseScopes, allows, ScopeError } from '../../src/auth/scopes';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

describe('parsing', () => {
  test('SMART v2 letters in order, v1 forms and wildcards', () => {
    const grants = parseScopes('system/Patient.cruds system/Practitioner.rs user/Location.read patient/Organization.* system/*.s admin');
    expect(grants.admin).toBe(true);
    expect(allows(grants, 'Patient', 'd')).toBe(true);
    expect(allows(grants, 'Practitioner', 's')).toBe(true);
    expect(allows(grants, 'Practitioner', 'c')).toBe(false);
    expect(allows(grants, 'Location', 'r')).toBe(true);
    expect(allows(grants, 'Location', 'u')).toBe(false);
    expect(allows(grants, 'Organization', 'c')).toBe(true);
    expect(allows(grants, 'ServiceRequest', 's')).toBe(true);
    expect(allows(grants, 'ServiceRequest', 'r')).toBe(false);
    expect(parseScopes('system/*.write').grants[0]?.letters).toEqual(new Set(['c', 'u', 'd']));
  });

  test.each(['system/Patient.rc', 'system/Patient.rr', 'system/Patient.x', 'Patient.read', 'system/patient.read', 'system/Patient.rs?category=x', 'root'])(
    '%s is malformed',
    (scope) => {
      expect(() => parseScopes(scope)).toThrow(ScopeError);
    },
  );
});

/** One request per interaction, and the scope letter it needs. */
const TYPE = 'Practitioner';
let t: TestApp;
let id: string;
beforeAll(async () => {
  t = await startTestApp();
  id = (await t.http.post(`${FHIR_BASE}/${TYPE}`).send({ resourceType: TYPE, name: [{ family: 'Scoped' }] })).body.id;
});
afterAll(() => t.close());

const body = () => ({ resourceType: TYPE, name: [{ family: `S${randomUUID().slice(0, 6)}` }] });
const interactions: [string, string, (key: string) => Promise<{ status: number; body: { issue?: { code: string }[] } }>][] = [
  ['create', 'c', (key) => t.anonymous.post(`${FHIR_BASE}/${TYPE}`).set('x-api-key', key).send(body())],
  ['read', 'r', (key) => t.anonymous.get(`${FHIR_BASE}/${TYPE}/${id}`).set('x-api-key', key)],
  ['vread', 'r', (key) => t.anonymous.get(`${FHIR_BASE}/${TYPE}/${id}/_history/1`).set('x-api-key', key)],
  ['history', 'r', (key) => t.anonymous.get(`${FHIR_BASE}/${TYPE}/${id}/_history`).set('x-api-key', key)],
  [
    'update',
    'u',
    (key) => {
      const newId = randomUUID();
      return t.anonymous
        .put(`${FHIR_BASE}/${TYPE}/${newId}`)
        .set('x-api-key', key)
        .send({ ...body(), id: newId });
    },
  ],
  [
    'patch',
    'u',
    (key) =>
      t.anonymous
        .patch(`${FHIR_BASE}/${TYPE}/${id}`)
        .set('x-api-key', key)
        .set('content-type', 'application/json-patch+json')
        .send([{ op: 'add', path: '/active', value: true }]),
  ],
  [
    'delete',
    'd',
    async (key) => {
      const doomed = (await t.http.post(`${FHIR_BASE}/${TYPE}`).send(body())).body.id as string;
      return t.anonymous.delete(`${FHIR_BASE}/${TYPE}/${doomed}`).set('x-api-key', key);
    },
  ],
  ['search', 's', (key) => t.anonymous.get(`${FHIR_BASE}/${TYPE}?name=scoped`).set('x-api-key', key)],
];

describe('each interaction with just enough scope, and with its letter missing', () => {
  test.each(interactions)('%s needs %s', async (_name, letter, call) => {
    const enough = await call(await t.keyWith([`system/${TYPE}.${letter}`]));
    expect(enough.status).toBeLessThan(300);
    const others = 'cruds'.replace(letter, '');
    const short = await call(await t.keyWith([`system/${TYPE}.${others}`, `system/Patient.${letter}`]));
    expect(short.status).toBe(403);
    expect(short.body.issue?.[0]?.code).toBe('forbidden');
  });

  test('$validate needs no scope of the type', async () => {
    const key = await t.keyWith(['system/Patient.r']);
    const res = await t.anonymous.post(`${FHIR_BASE}/${TYPE}/$validate`).set('x-api-key', key).send(body());
    expect(res.status).toBe(200);
  });
});

describe('bundles, includes and /v1', () => {
  test('a transaction is refused whole, nothing written, when one entry lacks its scope', async () => {
    const family = `Tx${randomUUID().slice(0, 8)}`;
    const key = await t.keyWith(['system/Patient.cruds']);
    const res = await t.anonymous
      .post(FHIR_BASE)
      .set('x-api-key', key)
      .send({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Patient', name: [{ family }] }, request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Organization', name: family }, request: { method: 'POST', url: 'Organization' } },
        ],
      });
    expect(res.status).toBe(403);
    const found = await t.http.get(`${FHIR_BASE}/Patient?family=${family}`);
    expect(found.body.total).toBe(0);
  });

  test('_include returns only the types the caller may read', async () => {
    const org = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Included' });
    const patient = await t.http
      .post(`${FHIR_BASE}/Patient`)
      .send({ resourceType: 'Patient', managingOrganization: { reference: `Organization/${org.body.id}` } });
    const query = `${FHIR_BASE}/Patient?_id=${patient.body.id}&_include=Patient:organization`;
    const types = async (scopes: string[]) =>
      ((await t.anonymous.get(query).set('x-api-key', await t.keyWith(scopes))).body.entry as { resource: { resourceType: string } }[]).map(
        (e) => e.resource.resourceType,
      );
    expect(await types(['system/Patient.rs', 'system/Organization.r'])).toEqual(['Patient', 'Organization']);
    expect(await types(['system/Patient.rs'])).toEqual(['Patient']);
  });

  test.each([
    ['POST /v1/patients', ['system/Patient.c'], ['system/Patient.rs']],
    ['GET /v1/clinician-profiles', ['system/Practitioner.s', 'system/PractitionerRole.s'], ['system/PractitionerRole.s']],
  ])('%s answers 403 insufficient_scope without its scopes', async (route, enough, short) => {
    const [method, path] = route.split(' ') as ['POST' | 'GET', string];
    const call = async (scopes: string[]) => {
      const key = await t.keyWith(scopes);
      const patient = { brand_id: 'scopes', first_name: 'Sco', last_name: 'Pes', email: `${randomUUID()}@example.com` };
      return method === 'POST' ? t.anonymous.post(path).set('x-api-key', key).send(patient) : t.anonymous.get(path).set('x-api-key', key);
    };
    expect((await call(enough)).status).toBeLessThan(300);
    const refused = await call(short);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('insufficient_scope');
  });

  test('the audit trail needs its own scope', async () => {
    const res = await t.anonymous.get(`${FHIR_BASE}/AuditEvent`).set('x-api-key', await t.keyWith(['system/Patient.cruds']));
    expect(res.status).toBe(403);
    expect((await t.anonymous.get(`${FHIR_BASE}/AuditEvent`).set('x-api-key', await t.keyWith(['system/AuditEvent.rs']))).status).toBe(200);
  });

  test('the admin API needs the admin scope', async () => {
    expect((await t.anonymous.get('/admin/tenants').set('x-api-key', await t.keyWith(['system/*.cruds']))).status).toBe(403);
  });

  test('the CapabilityStatement lists the scopes it understands', async () => {
    const res = await t.anonymous.get(`${FHIR_BASE}/metadata`);
    expect(JSON.stringify(res.body.rest[0].security)).toContain('system/*.cruds');
  });
});
