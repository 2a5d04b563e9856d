import { randomUUID } from 'node:crypto';
import { ALL_SCOPES } from '../../src/auth/scopes';
import { createLogger } from '../../src/logger';
import { BatchedRateLimitCounter } from '../../src/store/rate-limit-batched';
import { PostgresRateLimitCounter } from '../../src/store/rate-limit-postgres';
import { closeRedisClients, redisClientFor } from '../../src/store/rate-limit-redis';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

const BUDGET = 3;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ rateLimit: { points: BUDGET, windowSeconds: 3600 } });
});
afterAll(async () => {
  await closeRedisClients();
  await t.close();
});

/** Each test spends the budget of an API key of its own (issued to the app's tenant). */
const newKey = (app: TestApp = t): Promise<string> => app.keyWith([...ALL_SCOPES]);
const remaining = (res: { get(name: string): string | undefined }): number => Number(res.get('ratelimit-remaining'));

describe('headers', () => {
  test.each([`${FHIR_BASE}/metadata`, '/v1/clinician-profiles', '/api-v1/clinician-profiles', '/v1/practitioner-roles/unknown', '/v1/no-such-family'])(
    'every API response carries RateLimit-* headers: %s',
    async (path) => {
      const res = await t.http.get(path).set('x-api-key', await newKey());
      expect(res.get('ratelimit-limit')).toBe(String(BUDGET));
      expect(remaining(res)).toBe(BUDGET - 1);
      expect(Number(res.get('ratelimit-reset'))).toBeGreaterThan(3500);
      expect(res.get('ratelimit-policy')).toBe(`${BUDGET};w=3600`);
    },
  );

  test.each(['/healthz', '/readyz'])('probes are not limited: %s', async (path) => {
    const res = await t.http.get(path);
    expect(res.get('ratelimit-limit')).toBeUndefined();
  });
});

describe('budget', () => {
  test('remaining counts down per request and is the same number in the practitioner-roles envelope', async () => {
    const key = await newKey();
    const first = await t.http.get('/v1/practitioner-roles/unknown').set('x-api-key', key);
    const second = await t.http.get('/v1/practitioner-roles/unknown').set('x-api-key', key);
    expect([remaining(first), remaining(second)]).toEqual([2, 1]);
    expect(second.body.meta).toMatchObject({ rateLimitTotal: BUDGET, rateLimitRemaining: 1, rateLimitReset: Number(second.get('ratelimit-reset')) });
  });

  test('x-api-key and Authorization: Bearer with the same key share one budget; another key has its own', async () => {
    const key = await newKey();
    await t.http.get('/v1/clinician-profiles').set('x-api-key', key);
    const bearer = await t.http.get('/v1/clinician-profiles').set('authorization', `Bearer ${key}`);
    expect(remaining(bearer)).toBe(1);
    expect(remaining(await t.http.get('/v1/clinician-profiles').set('x-api-key', await newKey()))).toBe(2);
  });

  test('/v1, /api-v1 and /fhir draw on the same budget', async () => {
    const key = await newKey();
    await t.http.get(`${FHIR_BASE}/metadata`).set('x-api-key', key);
    await t.http.get('/api-v1/clinician-profiles').set('x-api-key', key);
    expect(remaining(await t.http.get('/v1/clinician-profiles').set('x-api-key', key))).toBe(0);
  });
});

describe('only authenticated callers get a budget', () => {
  test('an invented key gets 401 and no budget; the same requests with a real key count', async () => {
    const invented = `fhk_invented-${randomUUID()}`;
    for (let i = 0; i < BUDGET + 2; i++) {
      const res = await t.anonymous.get('/v1/clinician-profiles').set('x-api-key', invented);
      expect(res.status).toBe(401);
      expect(res.get('ratelimit-limit')).toBeUndefined();
    }
    expect(remaining(await t.anonymous.get('/v1/clinician-profiles').set('x-api-key', await newKey()))).toBe(BUDGET - 1);
  });

  test('each key of one tenant has its own budget', async () => {
    const [a, b] = [await newKey(), await newKey()];
    await t.anonymous.get('/v1/clinician-profiles').set('x-api-key', a);
    expect(remaining(await t.anonymous.get('/v1/clinician-profiles').set('x-api-key', a))).toBe(BUDGET - 2);
    expect(remaining(await t.anonymous.get('/v1/clinician-profiles').set('x-api-key', b))).toBe(BUDGET - 1);
  });
});

describe('429 when the budget is spent, in each family shape', () => {
  async function spend(key: string): Promise<void> {
    for (let i = 0; i < BUDGET; i++) expect((await t.http.get(`${FHIR_BASE}/metadata`).set('x-api-key', key)).status).toBe(200);
  }

  test('practitioner-roles: the envelope with the numbers and Retry-After', async () => {
    const key = await newKey();
    await spend(key);
    const res = await t.http.post('/v1/practitioner-roles').set('x-api-key', key).send({ practitionerId: randomUUID(), role: 'doctor' });
    expect(res.status).toBe(429);
    expect(Number(res.get('retry-after'))).toBeGreaterThan(3500);
    expect(res.body.error.code).toBe('rate_limited');
    expect(res.body.meta).toMatchObject({ status: 429, rateLimitTotal: BUDGET, rateLimitRemaining: 0, rateLimitReset: Number(res.get('retry-after')) });
  });

  test('clinician-profiles: error and meta.request_id', async () => {
    const key = await newKey();
    await spend(key);
    const res = await t.http.get('/api-v1/clinician-profiles').set('x-api-key', key);
    expect(res.status).toBe(429);
    expect(res.get('retry-after')).toBeDefined();
    expect(res.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) }, meta: { request_id: expect.any(String) } });
  });

  test('{error, message} families: error and message', async () => {
    const key = await newKey();
    await spend(key);
    const res = await t.http.get(`/v1/patients/${randomUUID()}`).set('x-api-key', key);
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ error: 'rate_limited', message: expect.any(String) });
  });

  test('FHIR: a throttled OperationOutcome', async () => {
    const key = await newKey();
    await spend(key);
    const res = await t.http.get(`${FHIR_BASE}/Patient`).set('x-api-key', key);
    expect(res.status).toBe(429);
    expect(res.get('content-type')).toContain('application/fhir+json');
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'throttled' }] });
    expect(remaining(res)).toBe(0);
  });
});

describe('counters in PostgreSQL', () => {
  test('a window opens again when it has passed', async () => {
    const counter = new PostgresRateLimitCounter(t.knex, 1);
    const key = `window-${randomUUID()}`;
    expect((await counter.hit(key)).consumed).toBe(1);
    const second = await counter.hit(key);
    expect(second.consumed).toBe(2);
    expect(second.msBeforeReset).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, second.msBeforeReset + 50));
    expect(await counter.hit(key)).toMatchObject({ consumed: 1 });
  });

  test('concurrent hits on one key are all counted', async () => {
    const counter = new PostgresRateLimitCounter(t.knex, 3600);
    const key = `concurrent-${randomUUID()}`;
    const usages = await Promise.all(Array.from({ length: 20 }, () => counter.hit(key)));
    expect(usages.map((u) => u.consumed).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('expired counters are purged', async () => {
    const counter = new PostgresRateLimitCounter(t.knex, 1, 0);
    const stale = `stale-${randomUUID()}`;
    await counter.hit(stale);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await counter.hit(`fresh-${randomUUID()}`);
    expect(await t.knex('rate_limit_counters').where({ key: stale })).toEqual([]);
  });
});

describe('counters in PostgreSQL, batched', () => {
  const upserts = (): { count: number; stop(): void } => {
    const seen = { count: 0, stop: () => t.knex.off('query', onQuery) };
    const onQuery = (q: { sql?: string }): void => {
      if (/insert into rate_limit_counters/i.test(q.sql ?? '')) seen.count++;
    };
    t.knex.on('query', onQuery);
    return seen;
  };

  test('far from the limit, hits are counted exactly with a handful of statements, and all of them are written', async () => {
    const counter = new BatchedRateLimitCounter(new PostgresRateLimitCounter(t.knex, 3600), 1000, createLogger('silent'));
    const key = `batched-${randomUUID()}`;
    const seen = upserts();
    const consumed = [];
    for (let i = 0; i < 100; i++) consumed.push((await counter.hit(key)).consumed);
    await counter.flush();
    seen.stop();
    expect(consumed).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(seen.count).toBeGreaterThanOrEqual(1);
    expect(seen.count).toBeLessThanOrEqual(5);
    expect((await t.knex('rate_limit_counters').where({ key }).first()).points).toBe(100);
  });

  test('near the limit every hit asks the database: two processes overshoot it by at most their margins', async () => {
    const points = 40;
    const margin = 10;
    const [a, b] = [0, 1].map(() => new BatchedRateLimitCounter(new PostgresRateLimitCounter(t.knex, 3600), points, createLogger('silent')));
    const key = `batched-two-${randomUUID()}`;
    let admitted = 0;
    for (let i = 0; i < 100; i++) if ((await (i % 2 === 0 ? a! : b!).hit(key)).consumed <= points) admitted++;
    await Promise.all([a!.flush(), b!.flush()]);
    expect(admitted).toBeGreaterThanOrEqual(points);
    expect(admitted).toBeLessThanOrEqual(points + 2 * margin);
    expect((await t.knex('rate_limit_counters').where({ key }).first()).points).toBe(100);
  });
});

describe('shared counters', () => {
  test('two server instances on one database share the budget', async () => {
    const second = await t.sameTenantInstance();
    try {
      const key = await newKey();
      const seen = [];
      for (const app of [t, second, t]) seen.push(remaining(await app.http.get('/v1/clinician-profiles').set('x-api-key', key)));
      expect(seen).toEqual([2, 1, 0]);
      expect((await second.http.get('/v1/clinician-profiles').set('x-api-key', key)).status).toBe(429);
    } finally {
      await second.close();
    }
  });

  test('when Redis cannot be reached, this process counts in memory and the API stays up', async () => {
    const app = await startTestApp({ rateLimit: { points: 5, windowSeconds: 60 }, redisUrl: 'redis://127.0.0.1:1' });
    try {
      const key = await newKey(app);
      const first = await app.http.get('/v1/clinician-profiles').set('x-api-key', key);
      const second = await app.http.get('/v1/clinician-profiles').set('x-api-key', key);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect([remaining(first), remaining(second)]).toEqual([4, 3]);
    } finally {
      await closeRedisClients();
      await app.close();
    }
  });
});

const redisUrl = process.env.REDIS_URL;
(redisUrl ? describe : describe.skip)('with REDIS_URL', () => {
  test('two server instances share the budget through Redis, not the database', async () => {
    const first = await startTestApp({ rateLimit: { points: BUDGET, windowSeconds: 3600 }, redisUrl });
    const second = await first.sameTenantInstance();
    const redis = redisClientFor(redisUrl ?? '');
    try {
      const rowsBefore = await first.knex('rate_limit_counters').count({ n: '*' });
      const redisKeysBefore = await redis.keys('rate-limit:*');
      const key = await newKey(first);
      const seen = [];
      for (const app of [first, second, first]) seen.push(remaining(await app.http.get('/v1/clinician-profiles').set('x-api-key', key)));
      expect(seen).toEqual([2, 1, 0]);
      const over = await second.http.get('/v1/practitioner-roles/x').set('x-api-key', key);
      expect(over.status).toBe(429);
      expect(over.body.meta.rateLimitRemaining).toBe(0);
      expect(await first.knex('rate_limit_counters').count({ n: '*' })).toEqual(rowsBefore);
      const added = (await redis.keys('rate-limit:*')).filter((k) => !redisKeysBefore.includes(k));
      expect(added).toHaveLength(1);
      expect(await redis.get(added[0] ?? '')).toBe('4');
    } finally {
      await second.close();
      await first.close();
    }
  });
});
