import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { EXT } from '../../mappings/fhir-urls';
import type { WrittenVersion } from '../../src/fhir/service';
import { duplicateKeyOf, OperationOutcomeError } from '../../src/problems/outcomes';
import { statementsDuring } from '../helpers/statements';
import { startTwoTenants, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
let other: TestApp;
beforeAll(async () => ({ t, other } = await startTwoTenants()));
afterAll(() => t.close());

const writesOfNewResources = (sql: string): boolean => sql.includes('INSERT INTO resources');

const patient = (family: string, brand?: string, email?: string): Patient => ({
  resourceType: 'Patient',
  name: [{ family }],
  ...(brand ? { extension: [{ url: EXT.brandId, valueString: brand }] } : {}),
  ...(email ? { telecom: [{ system: 'email', value: email }] } : {}),
});

const familyOf = async (app: TestApp, id: string): Promise<string | undefined> => {
  const res = await app.http.get(`${FHIR_BASE}/Patient/${id}`);
  return res.status === 200 ? (res.body as Patient).name?.[0]?.family : undefined;
};

test('creates that reach the store in one turn are one statement, and each is its own resource', async () => {
  const families = Array.from({ length: 6 }, (_, i) => `Batch${i}${randomUUID().slice(0, 6)}`);
  let ids: string[] = [];
  const statements = await statementsDuring(t, writesOfNewResources, async () => {
    const service = t.service();
    ids = (await Promise.all(families.map((family) => service.create(patient(family))))).map((version) => version.resource.id!);
  });
  expect(statements).toHaveLength(1);
  expect(new Set(ids).size).toBe(families.length);
  expect(await Promise.all(ids.map((id) => familyOf(t, id)))).toEqual(families);
});

test('creates of two tenants in one turn: a statement each, and each resource only in its own tenant', async () => {
  let ours = '';
  let theirs = '';
  const statements = await statementsDuring(t, writesOfNewResources, async () => {
    const [mine, another] = await Promise.all([t.service().create(patient('OursTurn')), other.service().create(patient('TheirsTurn'))]);
    ours = mine.resource.id!;
    theirs = another.resource.id!;
  });
  expect(statements).toHaveLength(2);
  expect(await familyOf(t, ours)).toBe('OursTurn');
  expect(await familyOf(other, theirs)).toBe('TheirsTurn');
  expect(await familyOf(t, theirs)).toBeUndefined();
  expect(await familyOf(other, ours)).toBeUndefined();
});

test('a create refused in a batch fails alone: a business key taken twice in one turn is written once, the others all', async () => {
  const brand = `brand_${randomUUID()}`;
  const email = `same.${randomUUID()}@example.com`;
  const bodies = [
    patient('Twin', brand, email),
    patient('Twin', brand, email.toUpperCase()),
    ...Array.from({ length: 4 }, (_, i) => patient(`Single${i}`, brand, `single${i}.${randomUUID()}@example.com`)),
  ];
  const service = t.service();
  let outcomes: PromiseSettledResult<WrittenVersion>[] = [];
  const statements = await statementsDuring(t, writesOfNewResources, async () => {
    outcomes = await Promise.allSettled(bodies.map((body) => service.create(body)));
  });
  // The batch's statement, refused whole, then each create alone.
  expect(statements).toHaveLength(1 + bodies.length);
  const refused = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ i, reason: outcome.reason as unknown }] : []));
  expect(refused).toHaveLength(1);
  expect(refused[0]!.i).toBeLessThan(2);
  expect(refused[0]!.reason).toBeInstanceOf(OperationOutcomeError);
  expect(duplicateKeyOf((refused[0]!.reason as OperationOutcomeError).outcome)).toBe('patient-brand-email');
  const created = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.resource.id!] : []));
  expect(await Promise.all(created.map((id) => familyOf(t, id)))).toEqual(
    outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [bodies[i]!.name![0]!.family] : [])),
  );
});

test('two creates under one new id in one turn (PUT): one creates it, the other updates it; a create beside them is written', async () => {
  const id = randomUUID();
  const service = t.service();
  const [first, second, beside] = await Promise.all([
    service.update('Patient', id, { ...patient('PutOne'), id }),
    service.update('Patient', id, { ...patient('PutTwo'), id }),
    service.create(patient('Beside')),
  ]);
  expect([first.created, second.created].sort()).toEqual([false, true]);
  expect([first.version.resource.meta?.versionId, second.version.resource.meta?.versionId].sort()).toEqual(['1', '2']);
  expect(await familyOf(t, beside.resource.id!)).toBe('Beside');
  const history = await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`).expect(200);
  expect(history.body.total).toBe(2);
});

test('many parallel HTTP creates: each 201 is its own resource', async () => {
  const base = await t.listen();
  const families = Array.from({ length: 24 }, (_, i) => `Wire${i}${randomUUID().slice(0, 6)}`);
  const created = await Promise.all(
    families.map(async (family) => {
      const res = await fetch(`${base}${FHIR_BASE}/Patient`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(patient(family)),
      });
      return { status: res.status, id: ((await res.json()) as Patient).id! };
    }),
  );
  expect(created.map((c) => c.status)).toEqual(families.map(() => 201));
  expect(await Promise.all(created.map((c) => familyOf(t, c.id)))).toEqual(families);
});
