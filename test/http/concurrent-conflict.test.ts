import { createLogger } from '../../src/logger';
import { isConcurrentConflict } from '../../src/store/concurrent-conflict';
import { parsedLines, sinkInto } from '../helpers/log-sink';
import { onPostgres, rowLockHolder } from '../helpers/row-locks';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

const lines: string[] = [];
const logged = () => parsedLines(lines);
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ logger: createLogger('warn', sinkInto(lines)) });
});
afterAll(async () => {
  await t?.close();
});

test('a deadlock and a serialization failure count as a concurrent conflict, wherever the driver wraps them; nothing else does', () => {
  expect(isConcurrentConflict({ code: '40P01', message: 'deadlock detected' })).toBe(true);
  expect(isConcurrentConflict({ code: '40001', message: 'could not serialize access due to concurrent update' })).toBe(true);
  expect(isConcurrentConflict({ name: 'Error', message: 'wrapped', cause: { code: '40P01' } })).toBe(true);
  expect(isConcurrentConflict({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe(false);
  expect(isConcurrentConflict({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe(false);
  expect(isConcurrentConflict(undefined)).toBe(false);
});

onPostgres('a transaction PostgreSQL ends in a deadlock answers 409 in the FHIR shape, writes nothing and logs the route only', async () => {
  const create = async (resource: object): Promise<string> =>
    (
      await t.http
        .post(`${FHIR_BASE}/${(resource as { resourceType: string }).resourceType}`)
        .send(resource)
        .expect(201)
    ).body.id;
  const patientId = await create({ resourceType: 'Patient', name: [{ family: 'Deadlocked' }] });
  const practitionerId = await create({ resourceType: 'Practitioner', name: [{ family: 'Holder' }] });
  lines.length = 0;
  const holder = await rowLockHolder(t);
  try {
    await holder.lock('Practitioner', practitionerId);
    // The Bundle locks the Patient, then waits on the Practitioner the holder has.
    const answer = t.http
      .post(FHIR_BASE)
      .set('content-type', 'application/fhir+json')
      .send({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Patient', id: patientId, gender: 'female' }, request: { method: 'PUT', url: `Patient/${patientId}` } },
          { resource: { resourceType: 'Practitioner', id: practitionerId, gender: 'male' }, request: { method: 'PUT', url: `Practitioner/${practitionerId}` } },
        ],
      })
      .then((res) => res);
    await holder.untilWaitedOn();
    // The holder now asks for the Patient: a cycle. Each waiter looks for one after deadlock_timeout
    // (1 s); the Bundle, waiting well before the holder, looks first, finds it and is ended.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const holderLock = holder.lock('Patient', patientId);
    const res = await answer;
    await holderLock;
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'conflict', details: { text: expect.stringContaining('send it again') } }],
    });
  } finally {
    await holder.release();
  }
  const patient = await t.http.get(`${FHIR_BASE}/Patient/${patientId}`).expect(200);
  expect(patient.body.meta.versionId).toBe('1');
  const warnings = logged().filter((l) => l.msg === 'transaction ended by a concurrent one: answering 409');
  expect(warnings.map((w) => [w.method, w.path, w.errCode])).toEqual([['POST', FHIR_BASE, '40P01']]);
  expect(lines.join('')).not.toMatch(/Deadlocked|Holder/);
  expect(logged().filter((l) => l.msg === 'request failed')).toEqual([]);
});
