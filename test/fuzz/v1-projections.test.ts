import fc from 'fast-check';
import { PROFILE } from '../../mappings/fhir-urls';
import { expectSchema } from '../helpers/schema-assert';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { createPatient } from '../junction/lab-fixtures';
import { check, exchange, type Exchange } from './exchange';
import { mutate, mutationArb } from './mutations';
import { expectAlive, expectFhirError, expectNo5xx, expectV1Error, type V1Family } from './properties';
import { fuzzParams, timeoutFor } from './settings';
import { labOrderBody, patientBody, physicianBody, roleBody } from './v1-requests';

/*
 * The FHIR resource behind a /v1 record, changed over FHIR in odd ways: whatever FHIR accepts,
 * the /v1 read (and the clinician directory, for a practitioner) still answers in its documented shape.
 */

interface Projected {
  family: V1Family;
  path: string;
  type: string;
  /** The profile whose claim makes the resource a /v1 one; lab orders are recognised by their code. */
  profile?: string;
  id: string;
  /** The FHIR resource as the /v1 create stored it. */
  original: Record<string, unknown>;
}

let t: TestApp;
const records: Projected[] = [];
beforeAll(async () => {
  t = await startTestApp();
  const practitionerId = (await t.http.post(`${FHIR_BASE}/Practitioner`).send({ resourceType: 'Practitioner' })).body.id as string;
  const patientId = await createPatient(t);
  const sample = <T>(arb: fc.Arbitrary<T>): T => fc.sample(arb, { numRuns: 1, seed: 11 })[0] as T;
  const created: [V1Family, string, string, string | undefined, unknown][] = [
    ['patients', '/v1/patients', 'Patient', PROFILE.v1Patient, sample(patientBody)],
    ['physicians', '/v1/physicians', 'Practitioner', PROFILE.v1Physician, sample(physicianBody)],
    ['practitioner-roles', '/v1/practitioner-roles', 'PractitionerRole', PROFILE.v1PractitionerRole, sample(roleBody(practitionerId))],
    ['lab-orders', '/v1/lab-orders', 'ServiceRequest', undefined, sample(labOrderBody(patientId))],
  ];
  for (const [family, path, type, profile, body] of created) {
    const res = await t.http
      .post(path)
      .set('idempotency-key', `fuzz-${family}`)
      .send(body as object);
    expect(res.status).toBe(201);
    const id = (res.body.data?.id ?? res.body.id) as string;
    const original = (await t.http.get(`${FHIR_BASE}/${type}/${id}`)).body as Record<string, unknown>;
    records.push({ family, path, type, profile, id, original });
  }
});
afterAll(() => t.close());
afterEach(() => expectAlive(t));

const SCHEMAS: { [F in V1Family]?: string } = {
  patients: 'patients.201',
  physicians: 'physicians.201',
  'practitioner-roles': 'practitioner-roles.201',
  'lab-orders': 'lab-orders.201',
};

function expectDocumented(ex: Exchange, schema: string): void {
  try {
    expectSchema(ex.body, schema);
  } catch (err) {
    check(false, (err as Error).message, ex);
  }
}

test(
  'a /v1 record changed over FHIR: never a 5xx; what FHIR stores, the /v1 read answers in its documented shape',
  async () => {
    // Lab orders are drawn less often: their updates may reach the Junction sandbox.
    const record = fc.oneof(...records.map((r) => ({ weight: r.family === 'lab-orders' ? 1 : 3, arbitrary: fc.constant(r) })));
    await fc.assert(
      fc.asyncProperty(record, mutationArb, async (r, mutation) => {
        const { text, targets } = mutate(r.original, mutation);
        const put = await exchange(t.http, { method: 'put', path: `${FHIR_BASE}/${r.type}/${r.id}`, contentType: 'application/fhir+json', body: text });
        expectNo5xx(put);
        if (put.status >= 300) {
          expectFhirError(put, targets);
          return;
        }
        const stored = put.body as { meta?: { profile?: string[] } };
        const read = await exchange(t.http, { method: 'get', path: `${r.path}/${r.id}` });
        expectNo5xx(read);
        const claimed = r.profile === undefined || (stored.meta?.profile ?? []).includes(r.profile);
        if (read.status === 404 && !claimed) expectV1Error(read, r.family, []);
        else if (r.family === 'lab-orders' && read.status === 404) expectV1Error(read, r.family, []);
        else {
          check(read.status === 200, `a /v1 ${r.family} read of a stored, profiled resource must be a 200`, read);
          expectDocumented(read, SCHEMAS[r.family] as string);
        }
        if (r.type === 'Practitioner') {
          const profile = await exchange(t.http, { method: 'get', path: `/v1/clinician-profiles/${r.id}` });
          expectNo5xx(profile);
          check(profile.status === 200, 'every stored Practitioner has a clinician profile', profile);
          expectDocumented(profile, 'clinician-profiles.single');
        }
      }),
      fuzzParams(2),
    );
  },
  timeoutFor(2),
);
