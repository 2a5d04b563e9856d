import { planOf, statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * The clinician directory's words are found through trigram indexes of the Practitioners' rows
 * alone (migration 033, partial by type and code). Its statement is prepared for any word: a
 * connection parses it once and, after five executions, keeps one plan for every word, and that
 * plan must still read those indexes, which it can only when the type and codes are in the
 * statement's text. Prepared statements are a PostgreSQL server's, so this runs on PostgreSQL.
 */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((app) => app.close())));

const WORDS = ['Quillon', 'Marrowby', 'Tessary', 'Fenwaldt', 'Orrinde', 'Calloway', 'Brisketh', 'Dunmarro'];
/** A pair of characters of each word that no other word, no given name and no email holds. */
const PAIRS = ['qu', 'wb', 'ry', 'dt', 'nd', 'ay', 'th', 'nm'];

/** An app on one connection (every statement of the app is prepared on it, and `pg_prepared_statements` is its own), with a Practitioner of each word. */
async function directoryOnOneConnection(): Promise<{ app: TestApp; ids: string[] }> {
  const app = await startTestApp({ poolMax: 1, env: { LAB_ORDER_POLL_MS: String(3_600_000) } });
  apps.push(app);
  const ids: string[] = [];
  for (const [k, family] of WORDS.entries()) {
    const practitioner = { resourceType: 'Practitioner', name: [{ family, given: ['Ada'] }], telecom: [{ system: 'email', value: `desk${k}@clinic.example` }] };
    ids.push((await app.http.post(`${FHIR_BASE}/Practitioner`).send(practitioner).expect(201)).body.id as string);
  }
  return { app, ids };
}

/** Without the scans a few rows make cheaper: what a plan for any word reads where the directory is large. */
const LARGE_DIRECTORY = [
  'SET LOCAL enable_seqscan = off',
  'DROP INDEX search_token_value_prefix',
  'DROP INDEX search_token_tenant_id_resource_type_resource_id_index',
  'DROP INDEX search_string_value_key',
  'DROP INDEX search_string_tenant_id_resource_type_resource_id_index',
];

const isPairsStatement = (sql: string): boolean => sql.includes('fhir_character_pairs');

/** `[generic plans, custom plans]` of each built statement prepared on the app's connection whose text matches `pattern` (case-insensitive). */
async function plansOfBuiltStatements(app: TestApp, pattern: string): Promise<number[][]> {
  const { rows } = (await app.knex.raw("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'fhir\\_built\\_%' AND statement ~* ?", [
    pattern,
  ])) as { rows: { generic_plans: string; custom_plans: string }[] };
  return rows.map((r) => [Number(r.generic_plans), Number(r.custom_plans)]);
}

onPostgres("the directory's words are one prepared statement, planned for any word on the Practitioners' trigram indexes", async () => {
  const { app, ids } = await directoryOnOneConnection();

  const isWordsStatement = (sql: string) => /\blike\b/i.test(sql);
  const seen = await statementsDuring(app, isWordsStatement, async () => {
    for (const [k, family] of WORDS.entries()) {
      const found = await app.http
        .get('/v1/clinician-profiles')
        .query({ search: family.toLowerCase().slice(1) })
        .expect(200);
      expect(found.body.data.map((p: { id: string }) => p.id)).toEqual([ids[k]]);
    }
    const byEmail = await app.http.get('/v1/clinician-profiles').query({ search: 'desk3@' }).expect(200);
    expect(byEmail.body.data.map((p: { id: string }) => p.id)).toEqual([ids[3]]);
  });
  expect(seen).toHaveLength(WORDS.length + 1);

  expect(await plansOfBuiltStatements(app, '\\mlike\\M')).toEqual([[4, 5]]);

  // Without the scans a few rows make cheaper, the plan for any word reads the partial trigram indexes.
  const plan = (await planOf(app, seen[0]!, LARGE_DIRECTORY, { generic: true })).join('\n');
  expect(plan).toMatch(/on search_string_practitioner_trgm\b/);
  expect(plan).toMatch(/on search_token_practitioner_email_trgm\b/);
});

onPostgres(
  "the directory's two-letter words are one prepared statement too, planned for any word on the Practitioners' pair indexes and no trigram index",
  async () => {
    const { app, ids } = await directoryOnOneConnection();
    const seen = await statementsDuring(app, isPairsStatement, async () => {
      for (const [k, pair] of PAIRS.entries()) {
        const found = await app.http.get('/v1/clinician-profiles').query({ search: pair.toUpperCase() }).expect(200);
        expect(found.body.data.map((p: { id: string }) => p.id)).toEqual([ids[k]]);
      }
    });
    expect(seen).toHaveLength(PAIRS.length);

    expect(await plansOfBuiltStatements(app, 'fhir_character_pairs')).toEqual([[3, 5]]);

    const plan = (await planOf(app, seen[0]!, LARGE_DIRECTORY, { generic: true })).join('\n');
    expect(plan).toMatch(/on search_string_practitioner_pairs\b/);
    expect(plan).toMatch(/on search_token_practitioner_email_pairs\b/);
    expect(plan).not.toMatch(/_trgm\b/);
  },
);

onPostgres("FHIR's two-character :contains of a Practitioner's name is one prepared statement, planned for any word on the pair index", async () => {
  const { app, ids } = await directoryOnOneConnection();
  const seen = await statementsDuring(app, isPairsStatement, async () => {
    for (const [k, pair] of PAIRS.entries()) {
      const found = await app.http.get(`${FHIR_BASE}/Practitioner`).query({ 'name:contains': pair }).expect(200);
      expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([ids[k]]);
    }
  });
  expect(seen).toHaveLength(PAIRS.length);

  expect(await plansOfBuiltStatements(app, 'fhir_character_pairs')).toEqual([[3, 5]]);

  // The statement binds the type and codes it searches; the partial pair index is read only because they are in its text too.
  const plan = (await planOf(app, seen[0]!, LARGE_DIRECTORY, { generic: true })).join('\n');
  expect(plan).toMatch(/on search_string_practitioner_pairs\b/);
});
