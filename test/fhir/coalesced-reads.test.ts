import { readCurrentAsJson } from '../../src/store/stored-json';
import { statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let mine: TestApp;
let theirs: TestApp;
beforeAll(async () => {
  mine = await startTestApp();
  theirs = await mine.otherTenant();
});
afterAll(() => mine.close());

const create = async (app: TestApp, family: string): Promise<string> => {
  const res = await app.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Patient', name: [{ family }] });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

test('reads sent in one turn go to the database as one statement, and each gets its own row: none of another tenant', async () => {
  const ours = [await create(mine, 'Alpha'), await create(mine, 'Beta')];
  const foreign = await create(theirs, 'Gamma');
  const read = (tenantId: string, id: string) => readCurrentAsJson(mine.knex, tenantId, 'Patient', id);
  let reads: Awaited<ReturnType<typeof read>>[] = [];
  const statements = await statementsDuring(
    mine,
    (sql) => /fhir|resources/.test(sql),
    async () => {
      reads = await Promise.all([
        read(mine.tenantId, ours[0]!),
        read(mine.tenantId, ours[1]!),
        read(mine.tenantId, foreign),
        read(mine.tenantId, 'no-such-patient'),
        read(theirs.tenantId, foreign),
      ]);
    },
  );
  const [alpha, beta, crossTenant, missing, theirsRead] = reads;
  expect(statements).toHaveLength(1);
  expect(alpha?.resource).toMatchObject({ id: ours[0], name: [{ family: 'Alpha' }] });
  expect(beta?.resource).toMatchObject({ id: ours[1], name: [{ family: 'Beta' }] });
  expect(crossTenant).toBeUndefined();
  expect(missing).toBeUndefined();
  expect(theirsRead?.resource).toMatchObject({ id: foreign, name: [{ family: 'Gamma' }] });
});

test('reads of several ids go with the other reads of their turn, one statement; missing, deleted, repeated and foreign ids are left out', async () => {
  const [alpha, beta, removed] = [await create(mine, 'Epsilon'), await create(mine, 'Zeta'), await create(mine, 'Eta')];
  expect((await mine.http.delete(`${FHIR_BASE}/Patient/${removed}`)).status).toBe(200);
  const foreign = await create(theirs, 'Theta');
  const service = mine.service();
  let found: string[][] = [];
  const statements = await statementsDuring(
    mine,
    (sql) => /fhir|resources/.test(sql),
    async () => {
      const reads = await Promise.all([
        service.readMany('Patient', [alpha, beta, alpha, removed, 'no-such-patient', foreign]),
        service.readMany('Patient', [beta]),
      ]);
      found = reads.map((versions) => versions.map((version) => version.resource.id!).sort());
    },
  );
  expect(statements).toHaveLength(1);
  expect(found).toEqual([[alpha, beta].sort(), [beta]]);
});

test('a key the database refuses fails only its own read, not the others sent in the same turn', async () => {
  const id = await create(mine, 'Delta');
  const [good, badTenant, nul] = await Promise.allSettled([
    readCurrentAsJson(mine.knex, mine.tenantId, 'Patient', id),
    readCurrentAsJson(mine.knex, 'not-a-tenant', 'Patient', id),
    readCurrentAsJson(mine.knex, mine.tenantId, 'Patient', 'a\0b'),
  ]);
  expect(good).toMatchObject({ status: 'fulfilled', value: { id, resource: { name: [{ family: 'Delta' }] } } });
  expect(badTenant.status).toBe('rejected');
  expect(nul.status).toBe('rejected');
});

test('many parallel HTTP reads from two tenants: each answer is its own resource, another tenant’s id is 404', async () => {
  const ours = await Promise.all(Array.from({ length: 12 }, (_, i) => create(mine, `Ours${i}`)));
  const foreign = await Promise.all(Array.from({ length: 12 }, (_, i) => create(theirs, `Theirs${i}`)));
  const [mineUrl, theirsUrl] = [await mine.listen(), await theirs.listen()];
  const get = async (base: string, key: string, id: string) => {
    const res = await fetch(`${base}${FHIR_BASE}/Patient/${id}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, family: res.status === 200 ? ((await res.json()) as { name: { family: string }[] }).name[0]!.family : undefined };
  };
  const answers = await Promise.all([
    ...ours.map((id) => get(mineUrl, mine.apiKey, id)),
    ...foreign.map((id) => get(theirsUrl, theirs.apiKey, id)),
    ...foreign.map((id) => get(mineUrl, mine.apiKey, id)),
  ]);
  expect(answers).toEqual([
    ...ours.map((_, i) => ({ status: 200, family: `Ours${i}` })),
    ...foreign.map((_, i) => ({ status: 200, family: `Theirs${i}` })),
    ...foreign.map(() => ({ status: 404, family: undefined })),
  ]);
});

test('a read inside a transaction goes on its connection and sees its uncommitted write', async () => {
  const id = await create(mine, 'Before');
  await mine.knex.transaction(async (trx) => {
    await trx('resources')
      .where({ tenant_id: mine.tenantId, resource_type: 'Patient', id })
      .update({ content: trx.raw(`jsonb_set(content::jsonb, '{name,0,family}', '"During"')::json`) });
    const [first, second] = await Promise.all([readCurrentAsJson(trx, mine.tenantId, 'Patient', id), readCurrentAsJson(trx, mine.tenantId, 'Patient', id)]);
    expect([first?.resource, second?.resource]).toMatchObject([{ name: [{ family: 'During' }] }, { name: [{ family: 'During' }] }]);
  });
});
