import { createLogger } from '../../src/logger';
import { parsedLines, sinkInto } from '../helpers/log-sink';
import { createPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

const lines: string[] = [];
const logged = () => parsedLines<{ msg: string; more?: number }>(lines);
let pg: PrivatePostgres;
let t: TestApp;

beforeAll(async () => {
  pg = createPrivatePostgres();
  t = await startTestApp({
    databaseUrl: pg.url,
    logger: createLogger('warn', sinkInto(lines)),
    env: { RETRY_AFTER_SECONDS: '7', OUTAGE_LOG_INTERVAL_SECONDS: '1' },
  });
});
afterAll(async () => {
  await t?.close();
  pg?.remove();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await sleep(100);
  }
}

test('a pool busy with slow queries is not an outage: /readyz answers 200 at once', async () => {
  const busy = Array.from({ length: 10 }, () => t.knex.raw('SELECT pg_sleep(3)'));
  await sleep(200);
  const started = Date.now();
  const ready = await t.anonymous.get('/readyz');
  expect(ready.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(1500);
  await Promise.all(busy);
});

test('while PostgreSQL is down every API answers 503 with Retry-After in its own shape, logged once per interval; then it recovers', async () => {
  const patient = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', name: [{ family: 'Outage' }] });
  expect(patient.status).toBe(201);
  const unusedKey = await t.keyWith(['system/*.*']);
  lines.length = 0;
  pg.stop();
  const stopped = Date.now();

  const reads = await Promise.all(Array.from({ length: 20 }, () => t.http.get(`${FHIR_BASE}/Patient/${patient.body.id}`)));
  for (const res of reads) {
    expect(res.status).toBe(503);
    expect(res.get('retry-after')).toBe('7');
    expect(res.body.issue[0]).toMatchObject({ severity: 'error', code: 'transient' });
  }
  const fhirWrite = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient' });
  expect(fhirWrite.status).toBe(503);
  // An API key never seen before needs the database to be checked: that too is a 503, not a 401.
  const unseen = await t.anonymous.get(`${FHIR_BASE}/Patient`).set('authorization', `Bearer ${unusedKey}`);
  expect(unseen.status).toBe(503);
  const v1 = await t.http.post('/v1/patients').send({ brand_id: 'b', first_name: 'A', last_name: 'B' });
  expect(v1.status).toBe(503);
  expect(v1.get('retry-after')).toBe('7');
  expect(v1.body).toEqual({ error: 'service_unavailable', message: expect.stringContaining('retry') });
  const roles = await t.http.get('/v1/practitioner-roles/7f9c2a52-0d56-4c1e-9a43-8b1f0c3d2e11');
  expect(roles.status).toBe(503);
  expect(roles.body.error.code).toBe('service_unavailable');
  expect(roles.body.meta.status).toBe(503);
  // A batch's entries fail one by one: each says the database is unavailable, none is a 500.
  const batch = await t.http
    .post(FHIR_BASE)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${patient.body.id}` } }] });
  expect(batch.status).toBe(200);
  expect(batch.body.entry[0].response.status).toBe('503 Service Unavailable');
  expect(batch.body.entry[0].response.outcome.issue[0]).toMatchObject({ severity: 'error', code: 'transient' });
  const ready = await t.anonymous.get('/readyz');
  expect(ready.status).toBe(503);
  expect(ready.body).toEqual({ status: 'database_unavailable' });

  // A line with a stack for the first failure of an interval, a line with the count of the others
  // when it ends: a few lines for the 24 failures, however many intervals a loaded machine took
  // to send them.
  const failing = Date.now() - stopped;
  const outage = () => logged().filter((l) => l.msg.startsWith('database unavailable'));
  const firsts = () => outage().filter((l) => l.msg === 'database unavailable: answering 503');
  const counts = () => outage().filter((l) => l.more !== undefined);
  const told = () => firsts().length + counts().reduce((sum, line) => sum + (line.more ?? 0), 0);
  await eventually(async () => told() === reads.length + 4, 5_000);
  expect(firsts().length + counts().length).toBe(outage().length);
  expect(firsts().length).toBeLessThanOrEqual(1 + Math.floor(failing / 1000));
  for (const line of counts()) expect(line.msg).toMatch(/^database unavailable: answering 503 \(\d+ more times in 1 s\)$/);
  expect(logged().filter((l) => l.msg === 'request failed' || l.msg === 'batch entry failed')).toEqual([]);

  pg.start();
  await eventually(async () => (await t.anonymous.get('/readyz')).status === 200, 10_000);
  await eventually(async () => (await t.http.get(`${FHIR_BASE}/Patient/${patient.body.id}`)).status === 200, 10_000);
  const after = await Promise.all(Array.from({ length: 10 }, () => t.http.get(`${FHIR_BASE}/Patient/${patient.body.id}`)));
  expect(after.map((r) => r.status)).toEqual(Array(10).fill(200));
  expect(after[0]?.body.name[0].family).toBe('Outage');
});
