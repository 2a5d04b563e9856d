import type { Knex } from 'knex';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { isStatementTimeout } from '../../src/store/statement-timeout';
import { parsedLines, sinkInto } from '../helpers/log-sink';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

// Embedded PGlite has no statement timeout; its own test is the classification below.
const onPostgres = process.env.DATABASE_URL ? test : test.skip;
const lines: string[] = [];
const logged = () => parsedLines(lines);
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ logger: createLogger('warn', sinkInto(lines)), env: { DATABASE_STATEMENT_TIMEOUT_MS: '400', RETRY_AFTER_SECONDS: '9' } });
});
afterAll(async () => {
  await t?.close();
});

test('DATABASE_STATEMENT_TIMEOUT_MS defaults to 15 s and must be a whole positive number of milliseconds', () => {
  expect(loadConfig({}).statementTimeoutMs).toBe(15_000);
  expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '2500' }).statementTimeoutMs).toBe(2500);
  expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
  expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '1.5' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
});

test('only a cancel by the statement timeout counts as one, wherever the driver wraps it', () => {
  const timeout = { code: '57014', message: 'canceling statement due to statement timeout' };
  expect(isStatementTimeout(timeout)).toBe(true);
  expect(isStatementTimeout({ name: 'Error', message: 'wrapped', cause: timeout })).toBe(true);
  expect(isStatementTimeout({ code: '57014', message: 'canceling statement due to user request' })).toBe(false);
  expect(isStatementTimeout({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe(false);
  expect(isStatementTimeout(undefined)).toBe(false);
});

/** Holds every statement on `resources` behind a lock until `release` is called. */
async function lockResources(knex: Knex): Promise<{ release(): Promise<void> }> {
  const trx = await knex.transaction();
  await trx.raw('LOCK TABLE resources IN ACCESS EXCLUSIVE MODE');
  return { release: async () => void (await trx.rollback()) };
}

onPostgres(
  'a statement past the timeout answers 503 with a timeout issue in each API’s shape, logs the route only, and the next request is served',
  async () => {
    const created = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', name: [{ family: 'Slowpoke' }] });
    expect(created.status).toBe(201);
    lines.length = 0;
    const lock = await lockResources(t.knex);
    try {
      const search = await t.http.get(`${FHIR_BASE}/Patient?family=Slowpoke`);
      expect(search.status).toBe(503);
      expect(search.get('retry-after')).toBe('9');
      expect(search.body).toEqual({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'timeout', details: { text: expect.stringContaining('narrow the search') } }],
      });
      const read = await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}`);
      expect(read.status).toBe(503);
      expect(read.body.issue[0].code).toBe('timeout');
      const v1 = await t.http.get(`/v1/patients/${created.body.id}`);
      expect(v1.status).toBe(503);
      expect(v1.body).toEqual({ error: 'timeout', message: expect.stringContaining('narrow the search') });
      // A batch answers 200; an entry that timed out says so in its own response.
      const batch = await t.http
        .post(FHIR_BASE)
        .set('content-type', 'application/fhir+json')
        .send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${created.body.id}` } }] });
      expect(batch.status).toBe(200);
      expect(batch.body.entry).toEqual([
        {
          response: {
            status: '503 Service Unavailable',
            outcome: {
              resourceType: 'OperationOutcome',
              issue: [{ severity: 'error', code: 'timeout', details: { text: expect.stringContaining('retry later') } }],
            },
          },
        },
      ]);
    } finally {
      await lock.release();
    }
    const warnings = logged().filter((l) => l.msg === 'statement timeout: answering 503');
    expect(warnings.map((w) => [w.method, w.path])).toEqual([
      ['GET', `${FHIR_BASE}/Patient`],
      ['GET', `${FHIR_BASE}/Patient/${created.body.id}`],
      ['GET', `/v1/patients/${created.body.id}`],
    ]);
    expect(lines.join('')).not.toContain('Slowpoke');
    expect(logged().filter((l) => l.msg === 'request failed' || l.msg === 'batch entry failed')).toEqual([]);

    const after = await t.http.get(`${FHIR_BASE}/Patient?family=Slowpoke`);
    expect(after.status).toBe(200);
    expect(after.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([created.body.id]);
  },
);
