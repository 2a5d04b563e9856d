import fc from 'fast-check';
import { expectSchema } from '../helpers/schema-assert';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { createPatient } from '../junction/lab-fixtures';
import { check, exchange, type Exchange, type Sent } from './exchange';
import { canonical, tryParse } from './json-text';
import { mutate, mutationArb } from './mutations';
import { expectAlive, expectBodyRules, expectNo5xx, expectV1Error, sameJson, type V1Family, V1_JSON } from './properties';
import { fuzzParams, timeoutFor } from './settings';
import { labOrderBody, patientBody, physicianBody, roleBody } from './v1-requests';

/* /v1 request bodies: valid ones are created and read back, mutated ones never break the server. */

let t: TestApp;
let practitionerId: string;
let patientId: string;
beforeAll(async () => {
  t = await startTestApp();
  practitionerId = (await t.http.post(`${FHIR_BASE}/Practitioner`).send({ resourceType: 'Practitioner', name: [{ family: 'Role' }] })).body.id as string;
  patientId = await createPatient(t);
});
afterAll(() => t.close());
afterEach(() => expectAlive(t));

interface Family {
  family: V1Family;
  path: string;
  /** The created record in a 2xx body (seed 003 wraps it in `data`). */
  record(body: unknown): Record<string, unknown> | undefined;
  /** Request fields the record repeats as sent. */
  echoed: string[];
  /** Fields of the record that may change between the POST and a GET (a lab order's status moves on). */
  moving: string[];
}

const plain = (body: unknown) => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined);
const FAMILIES: Record<'patients' | 'physicians' | 'practitioner-roles' | 'lab-orders', Family> = {
  patients: {
    family: 'patients',
    path: '/v1/patients',
    record: plain,
    echoed: ['brand_id', 'first_name', 'last_name', 'date_of_birth', 'gender', 'email', 'phone', 'external_ids', 'metadata'],
    moving: [],
  },
  physicians: {
    family: 'physicians',
    path: '/v1/physicians',
    record: plain,
    echoed: ['name', 'email', 'npi', 'license_state', 'state_license', 'clep_permit_number'],
    moving: [],
  },
  'practitioner-roles': {
    family: 'practitioner-roles',
    path: '/v1/practitioner-roles',
    record: (body) => plain(plain(body)?.data),
    echoed: [
      'practitionerId',
      'role',
      'organizationName',
      'specialty',
      'locationName',
      'phone',
      'email',
      'availableDays',
      'availableStartTime',
      'availableEndTime',
    ],
    moving: [],
  },
  'lab-orders': {
    family: 'lab-orders',
    path: '/v1/lab-orders',
    record: plain,
    echoed: ['brand_id', 'patient_id', 'panel_id'],
    moving: ['status', 'completed_at'],
  },
};

const without = (record: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));

/** Property 2, /v1: a 201 is the documented record, repeats the request's fields, and a GET of its id answers the same record. */
async function expectCreated(ex: Exchange, f: Family, sent: unknown): Promise<void> {
  check(ex.status === 201, 'a 2xx create must be a 201', ex);
  try {
    expectSchema(ex.body, `${f.family}.201`);
  } catch (err) {
    check(false, (err as Error).message, ex);
  }
  const record = f.record(ex.body) as Record<string, unknown>;
  const request = plain(sent) ?? {};
  for (const field of f.echoed.filter((k) => k in request)) {
    check(sameJson(canonical(record[field]), canonical(request[field])), `the record must repeat ${field} as sent`, ex);
  }
  const read = await t.http.get(`${f.path}/${record.id as string}`);
  check(read.status === 200, `GET ${f.path}/{id} answered ${read.status}`, ex);
  check(sameJson(without(f.record(read.body) ?? {}, f.moving), without(record, f.moving)), `GET ${f.path}/{id} differs: ${read.text.slice(0, 1500)}`, ex);
}

/** Properties 1–3 for a /v1 create. */
async function expectCreateOutcome(ex: Exchange, f: Family, targets: string[]): Promise<void> {
  expectNo5xx(ex);
  const sent = tryParse(ex.sent.body);
  expectBodyRules(ex, sent, V1_JSON);
  if (ex.status < 300) await expectCreated(ex, f, sent);
  else expectV1Error(ex, f.family, targets);
}

const withFamily = (f: Family, body: fc.Arbitrary<Record<string, unknown>>) => body.map((b) => ({ f, body: b }));
const anyBody = () =>
  fc.oneof(
    withFamily(FAMILIES.patients, patientBody),
    withFamily(FAMILIES.physicians, physicianBody),
    withFamily(FAMILIES['practitioner-roles'], roleBody(practitionerId)),
  );

const post = (f: Family, body: string, contentType = 'application/json', headers: Record<string, string> = {}): Sent => ({
  method: 'post',
  path: f.path,
  contentType,
  headers,
  body,
});

/** The business keys of the seeds: a patient's brand with its email or an external id, a physician's NPI with its licence state. */
function businessKeys(f: Family, body: Record<string, unknown>): string[] {
  if (f.family === 'physicians') return [`physician ${String(body.npi)} ${String(body.license_state)}`];
  if (f.family !== 'patients') return [];
  const brand = String(body.brand_id);
  const email = typeof body.email === 'string' ? [`patient ${brand} email ${body.email.toLowerCase()}`] : [];
  const external = Object.entries((body.external_ids ?? {}) as Record<string, string>).map(([k, v]) => `patient ${brand} ${JSON.stringify([k, v])}`);
  return [...email, ...external];
}

test(
  'a valid patient, physician or practitioner role is created (201) and reads back; one repeating a business key is a 409',
  async () => {
    const taken = new Set<string>();
    await fc.assert(
      fc.asyncProperty(anyBody(), async ({ f, body }) => {
        const ex = await exchange(t.http, post(f, JSON.stringify(body)));
        const keys = businessKeys(f, body);
        if (keys.some((k) => taken.has(k))) {
          check(ex.status === 409, 'a body repeating a business key must be a 409', ex);
          expectV1Error(ex, f.family, []);
          return;
        }
        await expectCreated(ex, f, body);
        for (const k of keys) taken.add(k);
      }),
      fuzzParams(),
    );
  },
  timeoutFor(),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/fhir+json',
  'application/x-www-form-urlencoded',
];

test(
  'patients, physicians, practitioner roles with one mutation: never a 5xx; a 2xx reads back; a 4xx names the field',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBody(),
        mutationArb,
        fc.constantFrom(...CONTENT_TYPES, 'application/json', 'application/json'),
        async ({ f, body }, mutation, contentType) => {
          const { text, targets } = mutate(body, mutation);
          const ex = await exchange(t.http, post(f, text, contentType));
          await expectCreateOutcome(ex, f, targets);
        },
      ),
      fuzzParams(3),
    );
  },
  timeoutFor(3),
);

/** Lab orders reach the Junction sandbox: fewer runs. */
const LAB_SCALE = 0.2;
const idempotencyKey = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  fc.string({ unit: 'binary-ascii', maxLength: 300 }),
  fc.constantFrom('', ' ', '""', '"k"', 'a'.repeat(256)),
);

test(
  'lab orders, valid or with one mutation, under odd idempotency keys: never a 5xx; a 2xx reads back; a 4xx names the field',
  async () => {
    const usedKeys = new Set<string>();
    await fc.assert(
      fc.asyncProperty(labOrderBody(patientId), fc.option(mutationArb, { freq: 3 }), idempotencyKey, async (body, mutation, key) => {
        const { text, targets } = mutation === null ? { text: JSON.stringify(body), targets: [] } : mutate(body, mutation);
        // Header values travel as latin-1 text: what cannot is left out, as an HTTP client would refuse to send it.
        const header = key.replace(/[^\t\x20-\x7e]/g, '');
        const ex = await exchange(t.http, post(FAMILIES['lab-orders'], text, 'application/json', { 'idempotency-key': header }));
        const sentKey = header.trim().replace(/^"(.*)"$/, '$1');
        const validKey = /^[\x20-\x7e]{1,255}$/.test(sentKey);
        if (mutation === null && validKey && !usedKeys.has(sentKey)) check(ex.status === 201, 'a valid lab order under a new key must be a 201', ex);
        if (validKey) usedKeys.add(sentKey);
        // With a bad key and a bad body, either may be the one named: both are the client's to fix.
        await expectCreateOutcome(ex, FAMILIES['lab-orders'], validKey ? targets : ['idempotency-key', ...targets]);
      }),
      fuzzParams(LAB_SCALE),
    );
  },
  timeoutFor(LAB_SCALE),
);
