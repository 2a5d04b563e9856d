import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const JSON_TYPES = ['application/json', 'application/fhir+json'];

/** Odd inputs on every family; each must be answered with a 4xx, never a 500 or a stack trace. */
const PROBES: [method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: string, type?: string][] = [
  ['get', `${FHIR_BASE}/Patient/%00`],
  ['get', `${FHIR_BASE}/Patient/${'a'.repeat(300)}`],
  ['get', `${FHIR_BASE}/Patient?_count=-1`],
  ['get', `${FHIR_BASE}/Patient?_offset=99999999999999999999`],
  ['get', `${FHIR_BASE}/Patient?birthdate=ge1900-01-01'--`],
  ['get', `${FHIR_BASE}/Patient?_sort=name;DROP TABLE resources`],
  ['get', `${FHIR_BASE}/Patient?identifier[$ne]=x`],
  ['get', `${FHIR_BASE}/Patient/abc/_history/not-a-number`],
  ['post', `${FHIR_BASE}/Patient`, '{"resourceType":"Patient","name":"not-an-array"}'],
  ['post', `${FHIR_BASE}/Patient`, '{"resourceType":"Patient","birthDate":{"$gt":""}}'],
  ['post', `${FHIR_BASE}/Patient`, '{"resourceType":"Patient","id":{"x":1}}'],
  ['post', `${FHIR_BASE}`, '{"resourceType":"Bundle","type":"transaction","entry":"nope"}'],
  ['post', `${FHIR_BASE}`, '{"resourceType":"Patient"}'],
  ['put', `${FHIR_BASE}/Patient/x`, '{"resourceType":"Patient","id":"x","meta":"bad"}'],
  ['patch', `${FHIR_BASE}/Patient/x`, '[{"op":"replace","path":"/active","value":true}]', 'application/json-patch+json'],
  ['post', '/v1/patients', '[]'],
  ['post', '/v1/patients', '{"brand_id":{"a":1},"first_name":"A","last_name":"B"}'],
  ['post', '/v1/patients', '{"brand_id":"b","first_name":"A","last_name":"B","date_of_birth":"1990-02-31"}'],
  ['post', '/v1/patients', '{"brand_id":"b","first_name":"A","last_name":"B","external_ids":{"k":1}}'],
  ['post', '/v1/physicians', '{"name":"A","email":"x@y.z","npi":"1234567890","license_state":"NY","state_license":"1"}'],
  ['get', '/v1/patients/not-a-uuid'],
  ['get', '/v1/physicians/%27%20OR%201=1'],
  ['post', '/v1/practitioner-roles', '{"practitionerId":"x","role":"doctor","availableStartTime":"25:00"}'],
  ['post', '/v1/practitioner-roles', 'not json'],
  ['get', '/v1/clinician-profiles?limit=abc'],
  ['get', '/v1/clinician-profiles?limit=0'],
  ['get', '/v1/clinician-profiles?offset=-1'],
  ['get', '/v1/clinician-profiles?location_id=nope'],
  ['get', '/api-v1/clinician-profiles/%00'],
  ['delete', '/v1/patients/x'],
];

const cases = PROBES.map(([method, path, body, type]) => ({ method, path, body, type }));

test.each(cases)('$method $path answers a 4xx without internals', async ({ method, path, body, type }) => {
  let req = t.http[method](path);
  if (body !== undefined) req = req.set('content-type', type ?? JSON_TYPES[0]!).send(body);
  const res = await req;
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.text).not.toMatch(/at .+\.(ts|js):\d+|SELECT|INSERT|syntax error/i);
});

test('a malformed percent-encoding in a search value finds nothing rather than failing', async () => {
  const res = await t.http.get(`${FHIR_BASE}/Patient?name=%E0%A4%A`);
  expect(res.status).toBe(200);
  expect(res.body.total).toBe(0);
});
