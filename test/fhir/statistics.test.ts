import knex from 'knex';
import { createLogger } from '../../src/logger';
import { DEFAULT_STATISTICS, keepStatisticsFresh } from '../../src/store/statistics';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** How many rows the planner believes `resources` holds (-1 or 0 before any ANALYZE). */
async function plannerRows(app: TestApp = t): Promise<number> {
  const { rows } = await app.knex.raw(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('resources')`);
  return Number(rows[0]?.rows ?? 0);
}

/** Pages of a table VACUUM has marked all-visible, as the last VACUUM or ANALYZE counted them. */
async function allVisiblePages(table: string, app: TestApp = t): Promise<number> {
  const { rows } = await app.knex.raw(`SELECT relallvisible::float8 AS pages FROM pg_class WHERE oid = to_regclass(?)`, [table]);
  return Number(rows[0]?.pages ?? 0);
}

type TableCount = 'vacuum_count' | 'analyze_count' | 'n_mod_since_analyze' | 'n_dead_tup';

/** One of PostgreSQL's counts of a table (pg_stat_user_tables). */
async function tableCount(count: TableCount, table: string, app: TestApp): Promise<number> {
  const { rows } = await app.knex.raw(`SELECT ${count}::float8 AS n FROM pg_stat_user_tables WHERE relid = to_regclass(?)`, [table]);
  return Number(rows[0]?.n ?? 0);
}

/** How many times VACUUM has run on a table. */
const vacuums = (table: string, app: TestApp = t): Promise<number> => tableCount('vacuum_count', table, app);

/** How many times ANALYZE has run on a table. */
const analyses = (table: string, app: TestApp = t): Promise<number> => tableCount('analyze_count', table, app);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a bulk load answers once the tables are analysed, then the server vacuums the search tables, without autovacuum', async () => {
  const before = await plannerRows();
  const patients = Array.from({ length: 600 }, (_, i) =>
    JSON.stringify({ resourceType: 'Patient', id: `stats-${i}`, name: [{ family: `Stats${i}` }], birthDate: `19${String(i % 100).padStart(2, '0')}-01-01` }),
  );
  const res = await t.http.post(`${FHIR_BASE}/$import`).set('content-type', 'application/fhir+ndjson').send(patients.join('\n'));
  expect(res.status).toBe(200);
  // Right after the answer: a search sent now is planned on statistics that hold the load.
  expect(await plannerRows()).toBeGreaterThanOrEqual(before + 600);
  // A date search's matches come from the covering range index alone only on all-visible pages.
  let visible = 0;
  for (let i = 0; i < 50 && visible === 0; i++) {
    await pause(200);
    visible = await allVisiblePages('search_date');
  }
  expect(visible).toBeGreaterThan(0);
  // New resources leave no dead rows in `resources`: nothing to vacuum there.
  expect(await vacuums('resources')).toBe(0);
});

test('updates that leave enough dead rows in resources get it vacuumed', async () => {
  const patient = (i: number, family: string) => ({ resourceType: 'Patient', id: `dead-${i}`, name: [{ family }] });
  const ids = Array.from({ length: 300 }, (_, i) => i);
  const load = await t.http
    .post(`${FHIR_BASE}/$import`)
    .set('content-type', 'application/fhir+ndjson')
    .send(ids.map((i) => JSON.stringify(patient(i, 'Before'))).join('\n'));
  expect(load.status).toBe(200);
  const before = await vacuums('resources');
  const entry = ids.map((i) => ({ resource: patient(i, 'After'), request: { method: 'PUT', url: `Patient/dead-${i}` } }));
  const update = await t.http.post(FHIR_BASE).set('content-type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'transaction', entry });
  expect(update.status).toBe(200);
  let after = before;
  for (let i = 0; i < 50 && after === before; i++) {
    await pause(200);
    after = await vacuums('resources');
  }
  expect(after).toBeGreaterThan(before);
});

test('the audit trail is analysed at start-up and as its events add up, reads alone included, without autovacuum', async () => {
  // The start-up pass analyses the trail once; what follows must be a later pass.
  for (let i = 0; i < 150 && (await analyses('audit_events')) === 0; i++) await pause(100);
  const before = await analyses('audit_events');
  expect(before).toBeGreaterThan(0);
  const org = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Read often' }).expect(201);
  const entry = Array.from({ length: 600 }, () => ({ request: { method: 'GET', url: `Organization/${org.body.id}` } }));
  await t.http.post(FHIR_BASE).send({ resourceType: 'Bundle', type: 'batch', entry }).expect(200);
  let after = before;
  for (let i = 0; i < 150 && after === before; i++) {
    await pause(200);
    after = await analyses('audit_events');
  }
  expect(after).toBeGreaterThan(before);
});

describe('the audit trail, as every request adds to it', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ statistics: { ...DEFAULT_STATISTICS, checkEveryMs: 50 } });
  });
  afterAll(() => app.close());

  const trailRowsCounted = async (): Promise<number> => {
    const { rows } = await app.knex.raw(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('audit_events')`);
    return Number(rows[0]?.rows ?? 0);
  };
  const reads = async (count: number): Promise<void> => {
    const org = await app.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Read often' }).expect(201);
    const entry = Array.from({ length: count }, () => ({ request: { method: 'GET', url: `Organization/${org.body.id}` } }));
    await app.http.post(FHIR_BASE).send({ resourceType: 'Bundle', type: 'batch', entry }).expect(200);
  };
  const analysedAgain = async (before: number, waitMs: number): Promise<number> => {
    let after = before;
    for (let waited = 0; waited < waitMs && after === before; waited += 100) {
      await pause(100);
      after = await analyses('audit_events', app);
    }
    return after;
  };

  test('is analysed again once it has doubled, not at every tenth', async () => {
    for (let i = 0; i < 150 && (await analyses('audit_events', app)) === 0; i++) await pause(100);
    const atStartUp = await analyses('audit_events', app);
    await reads(600);
    const first = await analysedAgain(atStartUp, 15_000);
    expect(first).toBe(atStartUp + 1);
    const counted = await trailRowsCounted();
    expect(counted).toBeGreaterThanOrEqual(600);

    // Far more than a tenth and than 500 events, less than the trail held: no ANALYZE, over twenty checks.
    await reads(counted - 60);
    expect(await analysedAgain(first, 1_000)).toBe(first);
    // Doubled: analysed.
    await reads(100);
    expect(await analysedAgain(first, 15_000)).toBe(first + 1);
  });
});

describe('with a threshold for the answer above the background one', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The background would analyse after 10% more rows, but after its start-up pass it rests for good.
    app = await startTestApp({ statistics: { minRows: 100, fraction: 0.1, settleFraction: 0.5, busyShare: 1e-9, checkEveryMs: 50 } });
  });
  afterAll(() => app.close());

  const load = async (from: number, count: number): Promise<void> => {
    const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ resourceType: 'Patient', id: `settle-${from + i}`, name: [{ family: 'Settle' }] }));
    const res = await app.http.post(`${FHIR_BASE}/$import`).set('content-type', 'application/fhir+ndjson').send(lines.join('\n'));
    expect(res.status).toBe(200);
  };

  test('a load answers after an ANALYZE only once the tables outgrew their statistics by half; the background ANALYZE rests, VACUUM does not', async () => {
    const vacuumedOf = async (before: number): Promise<number> => {
      for (let i = 0; i < 50 && (await vacuums('search_string', app)) === before; i++) await pause(100);
      return vacuums('search_string', app);
    };
    const neverVacuumed = await vacuums('search_string', app);
    await load(0, 300);
    expect(await plannerRows(app)).toBe(300);
    const afterFirst = await analyses('resources', app);
    const vacuumed = await vacuumedOf(neverVacuumed);
    expect(vacuumed).toBeGreaterThan(neverVacuumed);

    // A third more: the answer does not wait for an ANALYZE, and the background's, due, rests;
    // its VACUUM of the search tables follows the writes.
    await load(300, 100);
    expect(await vacuumedOf(vacuumed)).toBeGreaterThan(vacuumed);
    expect(await analyses('resources', app)).toBe(afterFirst);

    await load(400, 100);
    expect(await analyses('resources', app)).toBe(afterFirst + 1);
    expect(await plannerRows(app)).toBe(500);
  });
});

// Holding a load on a row lock and ANALYZE on pg_statistic takes a second connection, which embedded PGlite has not.
describe('loads side by side', () => {
  let app: TestApp;
  beforeAll(async () => {
    // Only a load's end analyses: the background never checks.
    app = await startTestApp({ statistics: { minRows: 100, fraction: 0.1, settleFraction: 0.5, busyShare: 1e-9, checkEveryMs: 3_600_000 } });
  });
  afterAll(() => app.close());

  const load = (prefix: string, count: number) => {
    const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ resourceType: 'Patient', id: `${prefix}-${i}`, name: [{ family: 'Side' }] }));
    return app.http.post(`${FHIR_BASE}/$import`).set('content-type', 'application/fhir+ndjson').send(lines.join('\n'));
  };

  (process.env.DATABASE_URL ? test : test.skip)(
    'a load that ends while another is writing answers without waiting for an ANALYZE; the last to end answers after one that holds both',
    async () => {
      expect((await load('first', 300)).status).toBe(200);
      expect(await plannerRows(app)).toBe(300);

      const held = await app.knex.transaction();
      let later: Promise<{ status: number; body: unknown }> | undefined;
      try {
        // Every ANALYZE writes its statistics to pg_statistic: while this is held it waits there; plans still read them.
        await held.raw('LOCK TABLE pg_statistic IN EXCLUSIVE MODE');
        // The row of the later load's first Patient, not committed: that load waits on it.
        await held.raw(`INSERT INTO resources SELECT (jsonb_populate_record(r, jsonb_build_object('id', 'later-0'))).* FROM resources AS r WHERE r.id = 'first-0'`);
        later = load('later', 600).then((res) => res);
        const waitingOnHeld = async (): Promise<number> => {
          const { rows } = await held.raw(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'transactionid' AND transactionid = xid(pg_current_xact_id()) AND NOT granted`);
          return Number(rows[0].n);
        };
        for (let i = 0; i < 100 && (await waitingOnHeld()) === 0; i++) await pause(100);
        expect(await waitingOnHeld()).toBe(1);

        // Doubled since the last ANALYZE, 200 of 300 rows: due; the later load is still writing, so this one does not wait.
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('waited for the ANALYZE'), 15_000)));
        const earlier = await Promise.race([load('earlier', 200).then((res) => res), waited]).finally(() => clearTimeout(timer));
        expect(earlier).toMatchObject({ status: 200 });
      } finally {
        await held.rollback();
      }
      expect(await later).toMatchObject({ status: 200 });
      expect(await plannerRows(app)).toBe(1100);
    },
  );
});

describe('what an earlier process wrote, at the next process’s start-up', () => {
  let app: TestApp;
  beforeAll(async () => {
    // A process whose keeper, after its start-up pass, never acts: one stopped before its next check.
    app = await startTestApp({ statistics: { ...DEFAULT_STATISTICS, minRows: 1e9, settleFraction: 1e9, checkEveryMs: 3_600_000 } });
  });
  afterAll(() => app.close());

  /** The start-up pass of a new keeper on the app's database, as the next process runs it; what it logged about VACUUM. */
  const nextProcessStartUp = async (): Promise<string[]> => {
    const said: string[] = [];
    const logger = createLogger('info', { write: (line: string) => said.push(line) });
    // Stopping a keeper waits for its start-up pass.
    await keepStatisticsFresh(app.knex, logger, DEFAULT_STATISTICS).stop();
    return said.filter((line) => line.includes('VACUUM'));
  };
  /** Rows written to a table since its last ANALYZE, as PostgreSQL counts them. */
  const writtenSinceAnalyze = (table: string): Promise<number> => tableCount('n_mod_since_analyze', table, app);
  /** Dead rows in a table, as PostgreSQL counts them. */
  const deadRows = (table: string): Promise<number> => tableCount('n_dead_tup', table, app);
  const countsOf = async (): Promise<[number, number, number]> =>
    Promise.all([analyses('resources', app), analyses('search_uri', app), vacuums('search_string', app)]);

  test('the tables it wrote are analysed and vacuumed, the others and the tables left current are not', async () => {
    // The app's own start-up pass ends with the trail's ANALYZE and the look for what to vacuum;
    // a whole pass of another keeper after it, on tables nobody wrote to, does neither.
    for (let i = 0; i < 150 && (await analyses('audit_events', app)) === 0; i++) await pause(100);
    const untouched = await countsOf();
    expect(await nextProcessStartUp()).toEqual([]);
    expect(await countsOf()).toEqual(untouched);

    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ resourceType: 'Patient', id: `left-${i}`, name: [{ family: `Left${i}` }] }));
    const res = await app.http.post(`${FHIR_BASE}/$import`).set('content-type', 'application/fhir+ndjson').send(lines.join('\n'));
    expect(res.status).toBe(200);
    // A connection reports what it wrote within seconds, and as it closes: as the process stops.
    for (let i = 0; i < 200 && (await writtenSinceAnalyze('resources')) < 300; i++) await pause(100);
    const [analysed, uriAnalysed, vacuumed] = await countsOf();

    const [said, ...more] = await nextProcessStartUp();
    expect(more).toEqual([]);
    expect(JSON.parse(said ?? '{}')).toMatchObject({ level: 30, tables: expect.arrayContaining(['search_string']) });
    expect(await allVisiblePages('search_string', app)).toBeGreaterThan(0);
    expect(await countsOf()).toEqual([analysed + 1, uriAnalysed, vacuumed + 1]);

    // All current now: the process after analyses and vacuums nothing.
    expect(await nextProcessStartUp()).toEqual([]);
    expect(await countsOf()).toEqual([analysed + 1, uriAnalysed, vacuumed + 1]);
  });

  test('the dead rows its updates left in resources are vacuumed once they reach the threshold', async () => {
    const patient = (i: number) => ({ resourceType: 'Patient', id: `dead-left-${i}`, name: [{ family: `Before${i}` }] });
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify(patient(i)));
    await app.http.post(`${FHIR_BASE}/$import`).set('content-type', 'application/fhir+ndjson').send(lines.join('\n')).expect(200);
    // Not yet a threshold's worth (50 + 20% of the rows): a few updates leave a few dead rows.
    const update = async (ids: number[]): Promise<void> => {
      const entry = ids.map((i) => ({ resource: { ...patient(i), name: [{ family: 'After' }] }, request: { method: 'PUT', url: `Patient/dead-left-${i}` } }));
      await app.http.post(FHIR_BASE).send({ resourceType: 'Bundle', type: 'transaction', entry }).expect(200);
    };
    await update([0, 1, 2]);
    for (let i = 0; i < 200 && (await deadRows('resources')) < 3; i++) await pause(100);
    await nextProcessStartUp();
    const before = await vacuums('resources', app);

    await update(Array.from({ length: 297 }, (_, i) => i + 3));
    for (let i = 0; i < 200 && (await deadRows('resources')) < 300; i++) await pause(100);
    const [said] = await nextProcessStartUp();
    expect(JSON.parse(said ?? '{}')).toMatchObject({ tables: expect.arrayContaining(['resources']) });
    expect(await vacuums('resources', app)).toBe(before + 1);
    expect(await nextProcessStartUp()).toEqual([]);
  });
});

// The requests' statement timeout exists on PostgreSQL only (embedded PGlite has none to outlast).
(process.env.DATABASE_URL ? test : test.skip)('maintenance runs to its end beyond the requests’ statement timeout', async () => {
  const { rows } = await t.knex.raw('SELECT current_schema() AS schema');
  const { schema } = rows[0] as { schema: string };
  // Far shorter than any ANALYZE of the ten tables: what 15 s is to the tables at a million Patients.
  // The schema named as the server's pools name theirs: the keeper's connection sets it under its own bound.
  const hurried = knex({
    client: 'pg',
    connection: { connectionString: process.env.DATABASE_URL, statement_timeout: 1 },
    searchPath: [schema, 'public'],
  });
  const said: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => said.push(line) });
  const analysed = async (): Promise<number[]> => {
    const counts = await t.knex.raw(
      `SELECT analyze_count::float8 AS n FROM pg_stat_user_tables WHERE relid IN (to_regclass('resources'), to_regclass('search_uri'))`,
    );
    return (counts.rows as { n: number }[]).map((r) => Number(r.n));
  };
  // As after a crash, no ANALYZE of the two on record: a keeper starting analyses them.
  await t.knex.raw(`SELECT pg_stat_reset_single_table_counters(to_regclass('resources')), pg_stat_reset_single_table_counters(to_regclass('search_uri'))`);
  const before = await analysed();
  try {
    // A keeper analyses as it starts; stopping it waits for that pass. Its connection is
    // its own: no statement runs under the pool's 1 ms, which on a busy machine even a `SET` outlasts.
    await keepStatisticsFresh(hurried, logger, DEFAULT_STATISTICS).stop();
  } finally {
    await hurried.destroy();
  }
  expect(said).toEqual([]);
  let after = before;
  for (let i = 0; i < 50 && after.some((n, k) => n <= before[k]!); i++) {
    await pause(100);
    after = await analysed();
  }
  after.forEach((n, k) => expect(n).toBeGreaterThan(before[k]!));
});
