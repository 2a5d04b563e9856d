import { birthDateOf, familyOf, writtenPatient } from '../../bench/fixtures';
import { birthMonthQuery } from '../../bench/scenarios';
import { seed, type SeedData } from '../../bench/seed';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * A search statement prepared by its text is planned for its values five times, then for any
 * value, if that plan looks no dearer. Values the planner weighs — the length of an `_include`'s
 * arrays, a date range's bounds, a name prefix's — made every execution's own plan look cheaper
 * at the same work, so PostgreSQL planned each execution again (~0.4–1.3 ms of its CPU against
 * 0.15–0.3 ms of work at a few thousand resources). They are unseen by the planner: each statement
 * keeps its plan for any value after its first five executions. Prepared statements are a
 * PostgreSQL server's, so this runs on PostgreSQL.
 */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

let t: TestApp | undefined;
afterAll(() => t?.close());

const PATIENTS = 3000;

const WRITTEN = 9000;
const PER_BUNDLE = 500;

/**
 * The benchmark's data as its searches meet it: Patients with orders, their Practitioners, roles
 * and sites, then the Patients its write scenarios created (born 2010–2019, where no search looks).
 */
async function loadBenchmarkData(app: TestApp): Promise<SeedData> {
  const data = await seed(`${await app.listen()}${FHIR_BASE}`, app.apiKey, PATIENTS);
  for (let start = 0; start < WRITTEN; start += PER_BUNDLE) {
    const entry = Array.from({ length: PER_BUNDLE }, (_, k) => ({
      resource: writtenPatient(`written-${start + k}`, start + k),
      request: { method: 'POST', url: 'Patient' },
    }));
    await app.http.post(FHIR_BASE).send({ resourceType: 'Bundle', type: 'transaction', entry }).expect(200);
  }
  await app.knex.raw('ANALYZE');
  return data;
}

/** The plans of the app's prepared search statements whose text matches. */
async function plansOf(app: TestApp, text: string): Promise<number[][]> {
  const { rows } = (await app.knex.raw(
    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'fhir\\_built\\_%' AND statement ILIKE ?",
    [`%${text}%`],
  )) as { rows: { generic_plans: string; custom_plans: string }[] };
  return rows.map((r) => [Number(r.generic_plans), Number(r.custom_plans)]);
}

onPostgres('includes, date ranges and chained prefixes are planned for any value after five executions', async () => {
  // One connection: every statement of the app is prepared on it, and the view below is its own.
  t = await startTestApp({ poolMax: 1, env: { LAB_ORDER_POLL_MS: String(3_600_000) } });
  const app = t;
  const { patientIds: patients } = await loadBenchmarkData(app);
  const types = (body: { entry?: { resource: { resourceType: string } }[] }) => (body.entry ?? []).map((e) => e.resource.resourceType);

  for (const [k, id] of patients.slice(0, 8).entries()) {
    const included = await app.http
      .get(`${FHIR_BASE}/ServiceRequest`)
      .query({ subject: `Patient/${id}`, _include: 'ServiceRequest:subject' })
      .expect(200);
    expect(types(included.body)).toEqual(['ServiceRequest', 'Patient']);
    const revincluded = await app.http.get(`${FHIR_BASE}/Patient`).query({ _id: id, _revinclude: 'ServiceRequest:subject' }).expect(200);
    expect(types(revincluded.body)).toEqual(['Patient', 'ServiceRequest']);
    const born = await app.http.get(`${FHIR_BASE}/Patient?${birthMonthQuery(birthDateOf(k))}&_count=20`).expect(200);
    // Born in the month and year of Patient k: every 420th seeded Patient (birth years repeat every 70, months every 12).
    const births = (born.body.entry as { resource: { birthDate: string } }[]).map((e) => e.resource.birthDate);
    expect(births.length).toBeGreaterThanOrEqual(8);
    expect(births.filter((date) => date.startsWith(birthDateOf(k).slice(0, 7)))).toEqual(births);
    const chained = await app.http
      .get(`${FHIR_BASE}/ServiceRequest`)
      .query({ 'subject.family': familyOf(k), _count: '20' })
      .expect(200);
    // Orders of the Patients named as Patient k: every 1,164th (surnames repeat every 12, their numbers every 97).
    expect(types(chained.body)).toEqual(Array<string>(3).fill('ServiceRequest'));
  }

  const afterFive = [3, 5];
  expect(await plansOf(app, 'distinct on')).toEqual([afterFive, afterFive]);
  expect(await plansOf(app, 'FROM search_date')).toEqual([afterFive]);
  expect(await plansOf(app, 'CROSS JOIN LATERAL')).toEqual([afterFive]);
});
