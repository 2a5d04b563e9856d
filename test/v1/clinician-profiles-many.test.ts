import { randomUUID } from 'node:crypto';
import type { Practitioner } from '@medplum/fhirtypes';
import { importInto, ndjson } from '../helpers/import';
import { planOf, statementsDuring, type Statement } from '../helpers/statements';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The directory's search words among many Practitioners: a word most of them hold (more index
 * rows than a probe reads to narrow by) is walked in creation order, a rare one read from its
 * matches. Both must give what filtering the whole directory gives, in its order.
 */
const PROFILES = '/v1/clinician-profiles';
const MANY = 1005;
const RARE_AT = [3, 500, 1004];

let t: TestApp;
const ids: string[] = [];
beforeAll(async () => {
  t = await startTestApp();
  const practitioners: Practitioner[] = Array.from({ length: MANY }, (_, i) => ({
    resourceType: 'Practitioner',
    id: randomUUID(),
    name: [{ family: `Dense${i}`, given: [RARE_AT.includes(i) ? 'Wilhelmina' : 'Ann'] }],
    telecom: [{ system: 'email', value: `doc${i}@dense.example` }],
  }));
  const report = await importInto(t, ndjson(practitioners));
  expect(report.created).toBe(MANY);
  ids.push(...practitioners.map((p) => p.id!));
}, 60_000);
afterAll(() => t.close());

interface Page {
  data: { id: string }[];
  meta: { has_more: boolean; next_offset: number | null };
}

async function page(query: Record<string, string | number>): Promise<Page> {
  const res = await t.http.get(PROFILES).query(query);
  expect(res.status).toBe(200);
  return res.body as Page;
}

/** The page the query answers lists these profiles and says what follows. */
async function expectPage(query: Record<string, string | number>, expected: string[], meta: Partial<Page['meta']>): Promise<void> {
  const listed = await page(query);
  expect(listed.data.map((p) => p.id)).toEqual(expected);
  expect(listed.meta).toMatchObject(meta);
}

/** Every profile the query lists, page after page. */
async function everyId(query: Record<string, string>): Promise<string[]> {
  const listed: string[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const { data, meta }: Page = await page({ ...query, limit: 100, offset });
    listed.push(...data.map((p) => p.id));
    offset = meta.next_offset;
  }
  return listed;
}

/** What the directory lists without a search, of these ids: the order a search must keep. */
async function directoryOrderOf(wanted: readonly string[]): Promise<string[]> {
  const set = new Set(wanted);
  return (await everyId({})).filter((id) => set.has(id));
}

const rareIds = (): string[] => RARE_AT.map((i) => ids[i]!);
/** The statements that read the string index (the probe, the page), of those sent while `action` runs. */
const stringIndexStatements = (action: () => Promise<unknown>) => statementsDuring(t, (sql) => /\bsearch_string\b/.test(sql), action);

test('a word most Practitioners hold lists every one of them, in the directory order, walked page by page', async () => {
  const statements = await stringIndexStatements(async () => expect(await everyId({ search: 'dense' })).toEqual(await directoryOrderOf(ids)));
  // Each page: the probe, which finds too many to narrow by, then the walk.
  const probes = statements.filter((s) => s.sql.includes('n.ids'));
  expect(probes.length).toBeGreaterThan(0);
  expect(probes.length).toBe(statements.length / 2);
});

test('a rare word is read from its matches alone, in one statement', async () => {
  const expected = await directoryOrderOf(rareIds());
  expect(expected).toHaveLength(RARE_AT.length);
  const statements = await stringIndexStatements(async () => expect(await everyId({ search: 'wilhelmina' })).toEqual(expected));
  expect(statements).toHaveLength(1);
  // Not a walk of every Practitioner in creation order, testing each: the matches are read by their ids, by whichever index.
  expect((await planOf(t, statements[0]!)).join('\n')).toMatch(/Index Cond: \(.*\bid = ANY \(n\.ids\)\)/);
});

test('a rare word with a common one: the rare one narrows, the common one is still tested', async () => {
  const expected = await directoryOrderOf(rareIds());
  expect(await everyId({ search: 'dense wilhelmina' })).toEqual(expected);
  expect(await everyId({ search: 'wilhelmina dense' })).toEqual(expected);
  expect(await everyId({ search: 'wilhelmina dense3' })).toEqual([ids[3]]);
  expect(await everyId({ search: 'wilhelmina nobody' })).toEqual([]);
});

test("a rare word's matches are paged like any list", async () => {
  const expected = await directoryOrderOf(rareIds());
  await expectPage({ search: 'wilhelmina', limit: 2 }, expected.slice(0, 2), { has_more: true, next_offset: 2 });
  await expectPage({ search: 'wilhelmina', limit: 2, offset: 2 }, expected.slice(2), { has_more: false, next_offset: null });
});

test('a word no one holds lists nobody', async () => {
  expect(await everyId({ search: 'nobodyhere' })).toEqual([]);
});

test('a one-letter word, which no index finds, is searched as before: every Practitioner holding it', async () => {
  const holding = ids.filter((_, i) => String(i).includes('7'));
  expect(await everyId({ search: '7' })).toEqual(await directoryOrderOf(holding));
});

/** The lines of the plan of each statement, those of one statement joined. */
const plansOf = async (statements: Statement[]): Promise<string[]> => Promise.all(statements.map(async (s) => (await planOf(t, s)).join('\n')));

test('a one-letter word every Practitioner holds: each page is found among the first ones, each tested by its own rows, in one statement', async () => {
  const holding = await directoryOrderOf(ids);
  const statements = await stringIndexStatements(() =>
    expectPage({ search: 'n', limit: 100, offset: 100 }, holding.slice(100, 200), { has_more: true, next_offset: 200 }),
  );
  expect(statements).toHaveLength(1);
  // Not a hash of every name and email row holding the word, read before the first Practitioner is tested.
  const plan = await planOf(t, statements[0]!);
  expect(plan.join('\n')).toContain('SubPlan');
  expect(plan.join('\n')).not.toContain('hashed SubPlan');
  // Each probe reads the tested Practitioner's own rows, not every row of the type.
  const indexReads = plan.filter((line) => /\bon search_(string|token)\b/.test(line));
  expect(indexReads.length).toBeGreaterThan(0);
  for (const line of indexReads) expect(line).toContain('_resource_id_index');
  // Past the first resources, the pages come from the walk: every holder once, in order.
  expect(await everyId({ search: 'n' })).toEqual(holding);
});

test('a short word the first Practitioners do not hold enough of is walked past them', async () => {
  const expected = await directoryOrderOf(rareIds());
  expect(await everyId({ search: 'wi' })).toEqual(expected);
  await expectPage({ search: 'wi', limit: 1 }, expected.slice(0, 1), { has_more: true, next_offset: 1 });
  await expectPage({ search: 'wi', limit: 1, offset: 2 }, expected.slice(2), { has_more: false, next_offset: null });
});

describe('a two-letter word, found by its pairs of characters', () => {
  const endingIn = (digit: number): string[] => ids.filter((_, i) => i % 10 === digit);

  test('held by few, in a name: read from its matches through the pair index, in one statement', async () => {
    const expected = await directoryOrderOf(rareIds());
    const statements = await stringIndexStatements(async () => expect(await everyId({ search: 'wi' })).toEqual(expected));
    expect(statements).toHaveLength(1);
    expect((await plansOf(statements))[0]).toMatch(/on search_string_practitioner_pairs\b/);
  });

  test('held by few, in an email: the same, through the emails’ pair index', async () => {
    // `doc5@dense.example`, `doc15@…`: 100 emails hold "5@", and no name does.
    const statements = await stringIndexStatements(async () => expect(await everyId({ search: '5@' })).toEqual(await directoryOrderOf(endingIn(5))));
    expect(statements).toHaveLength(1);
    expect((await plansOf(statements))[0]).toMatch(/on search_token_practitioner_email_pairs\b/);
  });

  test('held by most: the probe finds too many, then a page among the first ones is found by testing each', async () => {
    const holding = await directoryOrderOf(ids.filter((_, i) => !RARE_AT.includes(i)));
    const statements = await stringIndexStatements(() => expectPage({ search: 'nn', limit: 100 }, holding.slice(0, 100), { has_more: true, next_offset: 100 }));
    expect(statements).toHaveLength(2);
    expect(statements[0]!.sql).toContain('n.ids');
    expect((await plansOf(statements))[1]).not.toContain('hashed SubPlan');
    expect(await everyId({ search: 'nn' })).toEqual(holding);
  });

  test('held by more than the probe reads and too few of the first ones: walked, testing each against the rows the pair index finds', async () => {
    // 101 emails hold "1@" (doc1@, doc11@, …, doc1001@), about 20 of the first 200 Practitioners.
    const expected = await directoryOrderOf(endingIn(1));
    expect(expected).toHaveLength(101);
    const statements = await stringIndexStatements(async () => expect(await everyId({ search: '1@' })).toEqual(expected));
    const walk = (await plansOf(statements)).find((plan) => plan.includes('hashed SubPlan'));
    expect(walk).toMatch(/on search_token_practitioner_email_pairs\b/);
  });

  test('is a FHIR search too: `:contains` of two characters on Practitioner reads the pair index', async () => {
    const statements = await stringIndexStatements(async () => {
      const res = await t.http.get(`${FHIR_BASE}/Practitioner`).query({ 'name:contains': 'WI', _count: 100 });
      expect(res.status).toBe(200);
      expect((res.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id).sort()).toEqual([...rareIds()].sort());
    });
    expect((await plansOf(statements)).join('\n')).toMatch(/on search_string_practitioner_pairs\b/);
  });
});
