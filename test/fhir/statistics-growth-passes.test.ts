import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The statistics keeper's VACUUM passes, in a file of their own: what they read is counted per
 * index, and another app's keeper on the same tables would read them too. Passes are checked for
 * once a second, so that writes sent back to back are never taken for writes that stopped.
 */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long an idle backend may keep what it read before reporting it to the statistics PostgreSQL shows (10 s), and a moment. */
const READS_REPORTED_MS = 11_000;

/** How many times VACUUM has run on a table. */
async function vacuums(table: string, app: TestApp): Promise<number> {
  const { rows } = await app.knex.raw('SELECT vacuum_count::float8 AS n FROM pg_stat_user_tables WHERE relid = to_regclass(?)', [table]);
  return Number(rows[0]?.n ?? 0);
}

describe('the passes that follow the writes', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ statistics: { minRows: 100, fraction: 0.1, settleFraction: 1, busyShare: 1, checkEveryMs: 1_000 } });
  });
  afterAll(() => app.close());

  const load = async (resources: object[]): Promise<void> => {
    const res = await app.http
      .post(`${FHIR_BASE}/$import`)
      .set('content-type', 'application/fhir+ndjson')
      .send(resources.map((r) => JSON.stringify(r)).join('\n'));
    expect(res.status).toBe(200);
  };
  /** The next VACUUM of `table` after `before` of them, and a moment for the pass to end and report what it read. */
  const vacuumedAfter = async (table: string, before: number): Promise<number> => {
    for (let i = 0; i < 100 && (await vacuums(table, app)) === before; i++) await pause(100);
    await pause(1_500);
    return vacuums(table, app);
  };
  /** Pages of an index read, from shared buffers or not, since the statistics were reset. */
  const pagesRead = async (index: string): Promise<number> => {
    const { rows } = await app.knex.raw(
      'SELECT (coalesce(idx_blks_read, 0) + coalesce(idx_blks_hit, 0))::float8 AS pages FROM pg_statio_user_indexes WHERE indexrelid = to_regclass(?)',
      [index],
    );
    return Number(rows[0]?.pages ?? 0);
  };
  const pagesOf = async (index: string): Promise<number> => {
    const { rows } = await app.knex.raw('SELECT pg_relation_size(to_regclass(?)) / 8192 AS pages', [index]);
    return Number(rows[0]?.pages ?? 0);
  };

  test('leave the dead rows of updates to the pass that reclaims those of resources, which vacuums their indexes too', async () => {
    const patient = (i: number, family: string) => ({ resourceType: 'Patient', id: `renamed-${i}`, name: [{ family }] });
    const ids = Array.from({ length: 300 }, (_, i) => i);
    await load(ids.map((i) => patient(i, 'Before')));
    const before = await vacuums('resources', app);
    const entry = ids.map((i) => ({ resource: patient(i, 'After'), request: { method: 'PUT', url: `Patient/renamed-${i}` } }));
    await app.http.post(FHIR_BASE).send({ resourceType: 'Bundle', type: 'transaction', entry }).expect(200);
    expect(await vacuumedAfter('resources', before)).toBeGreaterThan(before);
    // Every page all-visible again: the old names' rows are gone from the heap and from every index.
    const { rows } = await app.knex.raw(
      "SELECT relpages::float8 AS pages, relallvisible::float8 AS visible FROM pg_class WHERE oid = to_regclass('search_string')",
    );
    expect(Number(rows[0].pages)).toBeGreaterThan(0);
    expect(Number(rows[0].visible)).toBe(Number(rows[0].pages));
  });

  test('read what was written while the writes go on, not the whole trigram and date-range indexes; once they stop, clean those up', async () => {
    const gist = 'search_date_range';
    const gin = 'search_string_value_trgm';
    const named = Array.from({ length: 400 }, (_, i) => ({
      resourceType: 'Patient',
      id: `grown-${i}`,
      name: [{ family: `Grown${i}` }],
      birthDate: `1970-01-${String((i % 28) + 1).padStart(2, '0')}`,
    }));
    await load(named);
    await pause(READS_REPORTED_MS);
    const vacuumedBefore = await vacuums('search_date', app);
    const before = { gist: await pagesRead(gist), gin: await pagesRead(gin) };
    expect(await pagesOf(gist)).toBeGreaterThan(1);

    // Resources with neither a string nor a date, ten at a time, until a pass has run while they were being written.
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n += 10)
        await load(Array.from({ length: 10 }, (_, i) => ({ resourceType: 'Patient', id: `tokens-${n + i}`, gender: 'unknown' })));
    })();
    for (let i = 0; i < 200 && (await vacuums('search_date', app)) === vacuumedBefore; i++) await pause(50);
    await pause(1_000);
    const during = { passes: (await vacuums('search_date', app)) - vacuumedBefore, gist: await pagesRead(gist), gin: await pagesRead(gin) };
    writing = false;
    await writer;
    expect(during.passes).toBeGreaterThan(0);
    expect(during.gist).toBe(before.gist);
    // Of the GIN, each pass reads the page that says whether entries are pending.
    expect(during.gin - before.gin).toBeLessThanOrEqual(during.passes);

    // The writes stopped: a pass cleans the indexes up, which reads them whole.
    const whole = during.gist + (await pagesOf(gist));
    for (let i = 0; i < 100 && (await pagesRead(gist)) < whole; i++) await pause(100);
    expect(await pagesRead(gist)).toBeGreaterThanOrEqual(whole);
    // The names' trigrams went through the pending list into the index's tree: nothing is left to merge.
    const { rows } = await app.knex.raw('SELECT gin_clean_pending_list(to_regclass(?)) AS pages', [gin]);
    expect(Number(rows[0].pages)).toBe(0);
  });
});
