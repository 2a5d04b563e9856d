import { createLogger, errorLogFields } from '../../src/logger';
import { sinkInto } from '../helpers/log-sink';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

const lines: string[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logger: createLogger('debug', sinkInto(lines)) });
});
afterAll(() => t.close());

test('request logs carry ids, route templates and statuses but no names, birth dates, emails or phones', async () => {
  const phi = { first: 'Zebulon', last: 'Quixotic', email: 'zebulon.quixotic@example.org', phone: '+1-555-0199', dob: '1971-03-04' };
  await t.http
    .post('/v1/patients')
    .send({ brand_id: 'b1', first_name: phi.first, last_name: phi.last, email: phi.email, phone: phi.phone, date_of_birth: phi.dob });
  await t.http.post('/v1/patients').send({ brand_id: 'b1', first_name: phi.first, last_name: phi.last, email: phi.email });
  await t.http.get(`${FHIR_BASE}/Patient?family=${phi.last}&email=${encodeURIComponent(phi.email)}&birthdate=${phi.dob}`);
  await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Patient', name: [{ family: phi.last }], birthDate: 'not-a-date' });

  const text = lines.join('');
  expect(lines.length).toBeGreaterThanOrEqual(4);
  expect(text).toContain('"route":"/:type"');
  expect(text).toMatch(/"status":409/);
  for (const value of Object.values(phi)) expect(text).not.toContain(value);
});

test('an unexpected error is logged by name, code and frames, never by its message', () => {
  const err = Object.assign(new Error('invalid input syntax for type uuid: "zebulon.quixotic@example.org"'), { code: '22P02' });
  const fields = errorLogFields(err);
  expect(fields).toMatchObject({ errName: 'Error', errCode: '22P02' });
  expect(fields.frames).toMatch(/^\s+at /);
  expect(JSON.stringify(fields)).not.toContain('zebulon');
});

test('credentials never reach the logs, valid or not, whichever header carries them', async () => {
  const invented = 'fhk_invented-key-that-does-not-exist-0000';
  await t.http.get(`${FHIR_BASE}/Patient`);
  await t.anonymous.get(`${FHIR_BASE}/Patient`).set('x-api-key', t.apiKey);
  await t.anonymous.get('/v1/clinician-profiles').set('authorization', `Bearer ${invented}`);
  await t.anonymous.get('/v1/clinician-profiles').set('x-api-key', invented);
  const text = lines.join('');
  expect(text).toMatch(/"status":401/);
  expect(text).toMatch(/"caller":"[0-9a-f-]{36}"/);
  for (const secret of [t.apiKey, invented, t.apiKey.slice(4, 24)]) expect(text).not.toContain(secret);
});

test('pretty logs (a terminal) redact the same fields as JSON logs', () => {
  const written: string[] = [];
  const pretty = createLogger('info', sinkInto(written), 'pretty');
  pretty.info(
    { patient: { name: 'Zebulon Quixotic', email: 'zebulon.quixotic@example.org', birthDate: '1971-03-04' }, body: { phone: '+1-555-0199' } },
    'a line that should never carry PHI',
  );
  const text = written.join('');
  expect(text).toContain('a line that should never carry PHI');
  expect(text).toContain('[redacted]');
  expect(() => JSON.parse(text)).toThrow();
  for (const value of ['Zebulon', 'zebulon.quixotic@example.org', '1971-03-04', '+1-555-0199']) expect(text).not.toContain(value);
});

test('every request gets an id of its own, past many requests, unless it sends a well-formed one', async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 600; i++) ids.add((await t.anonymous.get('/healthz')).get('x-request-id') ?? '');
  expect(ids.size).toBe(600);
  for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{16}$/);
  expect((await t.anonymous.get('/healthz').set('x-request-id', 'trace-42.a:b')).get('x-request-id')).toBe('trace-42.a:b');
  expect((await t.anonymous.get('/healthz').set('x-request-id', 'no spaces <here>')).get('x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);
});
