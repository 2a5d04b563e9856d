import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { OperationOutcomeError } from '../../src/problems/outcomes';
import { statementsDuring } from '../helpers/statements';
import { startTwoTenants, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
let other: TestApp;
beforeAll(async () => ({ t, other } = await startTwoTenants()));
afterAll(() => t.close());

const NPI = 'http://hl7.org/fhir/sid/us-npi';

/** The statements writing versions over current rows (updates, deletions), not those inserting new resources. */
const replacesVersions = (sql: string): boolean => sql.startsWith('/* resource versions */') && sql.includes('UPDATE resources');

const patient = (family: string): Patient => ({ resourceType: 'Patient', name: [{ family }] });

const createdIds = async (app: TestApp, families: readonly string[]): Promise<string[]> => {
  const service = app.service();
  return (await Promise.all(families.map((family) => service.create(patient(family))))).map((version) => version.resource.id!);
};

const found = async (app: TestApp, query: string): Promise<string[]> => {
  const res = await app.http.get(`${FHIR_BASE}/${query}`).expect(200);
  return ((res.body.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id).sort();
};

const unique = (name: string): string => `${name}${randomUUID().slice(0, 8)}`;

test('updates and deletions that reach the store in one turn are one statement: each its version, history and index', async () => {
  const before = Array.from({ length: 6 }, () => unique('Before'));
  const ids = await createdIds(t, before);
  const after = ids.map(() => unique('After'));
  const service = t.service();
  const statements = await statementsDuring(t, replacesVersions, () =>
    Promise.all(ids.map((id, i) => (i < 4 ? service.update('Patient', id, { ...patient(after[i]!), id }) : service.delete('Patient', id)))),
  );
  expect(statements).toHaveLength(1);
  for (const [i, id] of ids.entries()) {
    const history = await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`).expect(200);
    expect(history.body.total).toBe(2);
    expect(await found(t, `Patient?family=${before[i]}`)).toEqual([]);
    if (i < 4) {
      const read = await t.http.get(`${FHIR_BASE}/Patient/${id}`).expect(200);
      expect([read.body.meta.versionId, read.body.name[0].family]).toEqual(['2', after[i]]);
      expect(await found(t, `Patient?family=${after[i]}`)).toEqual([id]);
    } else {
      await t.http.get(`${FHIR_BASE}/Patient/${id}`).expect(410);
    }
  }
});

test('updates of two tenants in one turn: a statement each, and each version only in its own tenant', async () => {
  const [ours] = await createdIds(t, [unique('Ours')]);
  const [theirs] = await createdIds(other, [unique('Theirs')]);
  const [oursAfter, theirsAfter] = [unique('OursAfter'), unique('TheirsAfter')];
  const statements = await statementsDuring(t, replacesVersions, () =>
    Promise.all([
      t.service().update('Patient', ours!, { ...patient(oursAfter), id: ours }),
      other.service().update('Patient', theirs!, { ...patient(theirsAfter), id: theirs }),
    ]),
  );
  expect(statements).toHaveLength(2);
  expect(await found(t, `Patient?family=${oursAfter}`)).toEqual([ours]);
  expect(await found(other, `Patient?family=${theirsAfter}`)).toEqual([theirs]);
  expect(await found(t, `Patient?family=${theirsAfter}`)).toEqual([]);
  expect(await found(other, `Patient?family=${oursAfter}`)).toEqual([]);
});

test('a batch with one resource twice writes nothing, then each update alone: every update is a version of its own', async () => {
  const [twice, once] = await createdIds(t, [unique('Twice'), unique('Once')]);
  const [first, second, third] = [unique('First'), unique('Second'), unique('Third')];
  const service = t.service();
  let versions: string[] = [];
  const statements = await statementsDuring(t, replacesVersions, async () => {
    const written = await Promise.all([
      service.update('Patient', twice!, { ...patient(first), id: twice }),
      service.update('Patient', twice!, { ...patient(second), id: twice }),
      service.update('Patient', once!, { ...patient(third), id: once }),
    ]);
    versions = written.map(({ version }) => version.resource.meta!.versionId!);
  });
  // The batch's statement, refused whole; each update alone; the one that lost the race, under its lock.
  expect(statements).toHaveLength(5);
  expect(versions.slice(0, 2).sort()).toEqual(['2', '3']);
  expect(versions[2]).toBe('2');
  const history = await t.http.get(`${FHIR_BASE}/Patient/${twice}/_history`).expect(200);
  expect(history.body.total).toBe(3);
  expect(await found(t, `Patient?family=${third}`)).toEqual([once]);
});

test('a conditional update (If-Match) in a batch: the stale one is refused with 412, the others written', async () => {
  const ids = await createdIds(t, [unique('Match'), unique('Match'), unique('Match')]);
  const service = t.service();
  const outcomes = await Promise.allSettled([
    service.update('Patient', ids[0]!, { ...patient(unique('Matched')), id: ids[0] }, '1'),
    service.update('Patient', ids[0]!, { ...patient(unique('Matched')), id: ids[0] }, '1'),
    service.update('Patient', ids[1]!, { ...patient(unique('Matched')), id: ids[1] }, '1'),
    service.update('Patient', ids[2]!, { ...patient(unique('Matched')), id: ids[2] }, '2'),
  ]);
  expect(
    outcomes
      .slice(0, 2)
      .map((o) => o.status)
      .sort(),
  ).toEqual(['fulfilled', 'rejected']);
  expect(outcomes.slice(2).map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
  const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as OperationOutcomeError).outcome.kind] : []));
  expect(refusals).toEqual(['preconditionFailed', 'preconditionFailed']);
  const versionOf = async (id: string): Promise<string> => (await t.http.get(`${FHIR_BASE}/Patient/${id}`).expect(200)).body.meta.versionId;
  expect(await Promise.all(ids.map(versionOf))).toEqual(['2', '2', '1']);
});

test('an update in a batch that gives a Practitioner the identifier a role refers to adopts the role’s reference', async () => {
  const npi = `94${Date.now() % 100_000_000}`;
  const created = await Promise.all(
    [unique('Npi'), unique('Beside')].map((family) => t.service().create({ resourceType: 'Practitioner', name: [{ family }] })),
  );
  const [practitionerId, otherId] = created.map((version) => version.resource.id!) as [string, string];
  const role = await t.service().create({ resourceType: 'PractitionerRole', practitioner: { identifier: { system: NPI, value: npi } } });
  expect(await found(t, `PractitionerRole?practitioner=Practitioner/${practitionerId}`)).toEqual([]);
  const service = t.service();
  const statements = await statementsDuring(t, replacesVersions, () =>
    Promise.all([
      service.update('Practitioner', practitionerId, { resourceType: 'Practitioner', id: practitionerId, identifier: [{ system: NPI, value: npi }] }),
      service.update('Practitioner', otherId, { resourceType: 'Practitioner', id: otherId, name: [{ family: unique('Moved') }] }),
    ]),
  );
  expect(statements).toHaveLength(1);
  expect(await found(t, `PractitionerRole?practitioner=Practitioner/${practitionerId}`)).toEqual([role.resource.id]);
});

test('many parallel HTTP updates: each 200 is its own resource’s next version', async () => {
  const base = await t.listen();
  const ids = await createdIds(
    t,
    Array.from({ length: 24 }, () => unique('Wire')),
  );
  const families = ids.map(() => unique('Rewired'));
  const statuses = await Promise.all(
    ids.map(async (id, i) => {
      const res = await fetch(`${base}${FHIR_BASE}/Patient/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ ...patient(families[i]!), id }),
      });
      return res.status;
    }),
  );
  expect(statuses).toEqual(ids.map(() => 200));
  for (const [i, id] of ids.entries()) expect(await found(t, `Patient?family=${families[i]}`)).toEqual([id]);
});

test('a transaction Bundle and updates of one turn writing the same resources of two types all succeed', async () => {
  const base = await t.listen();
  const send = async (method: string, path: string, body: object): Promise<number> => {
    const res = await fetch(`${base}${FHIR_BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  };
  for (let round = 0; round < 8; round++) {
    const [patientId] = await createdIds(t, [unique('Locked')]);
    const practitioner = await t.service().create({ resourceType: 'Practitioner', name: [{ family: unique('Locked') }] });
    const practitionerId = practitioner.resource.id!;
    // The Bundle names the Practitioner first; the updates of one turn are written in type order.
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Practitioner', id: practitionerId, gender: 'male' }, request: { method: 'PUT', url: `Practitioner/${practitionerId}` } },
        { resource: { ...patient(unique('InBundle')), id: patientId }, request: { method: 'PUT', url: `Patient/${patientId}` } },
      ],
    };
    const statuses = await Promise.all([
      send('POST', '', bundle),
      send('PUT', `/Patient/${patientId}`, { ...patient(unique('Alone')), id: patientId }),
      send('PUT', `/Practitioner/${practitionerId}`, { resourceType: 'Practitioner', id: practitionerId, gender: 'female' }),
    ]);
    expect(statuses).toEqual([200, 200, 200]);
    const history = await t.http.get(`${FHIR_BASE}/Patient/${patientId}/_history`).expect(200);
    expect(history.body.total).toBe(3);
  }
});

describe('an identifier that several resources of one batch hold', () => {
  const roleNaming = async (identifier: { system?: string; value: string }): Promise<string> =>
    (await t.service().create({ resourceType: 'PractitionerRole', practitioner: { identifier } })).resource.id!;
  const rolesOf = (practitionerId: string): Promise<string[]> => found(t, `PractitionerRole?practitioner=Practitioner/${practitionerId}`);
  const adoptsAlone = (sql: string): boolean => sql.startsWith('UPDATE search_reference');

  test('created in one turn: one statement, and the references to it stay unresolved (it is ambiguous)', async () => {
    const npi = { system: NPI, value: `95${Date.now() % 100_000_000}` };
    await roleNaming(npi);
    const service = t.service();
    let ids: string[] = [];
    const statements = await statementsDuring(
      t,
      (sql) => sql.startsWith('/* resource versions */') || adoptsAlone(sql),
      async () => {
        const created = await Promise.all([1, 2].map(() => service.create({ resourceType: 'Practitioner', identifier: [npi] })));
        ids = created.map((version) => version.resource.id!);
      },
    );
    expect(statements).toHaveLength(1);
    expect(await Promise.all(ids.map(rolesOf))).toEqual([[], []]);
  });

  test('taken by updates of one turn: one statement, and the references to it stay unresolved', async () => {
    const npi = { system: NPI, value: `96${Date.now() % 100_000_000}` };
    const ids = (await Promise.all([1, 2].map(() => t.service().create({ resourceType: 'Practitioner', name: [{ family: unique('Npi') }] })))).map(
      (version) => version.resource.id!,
    );
    await roleNaming(npi);
    const service = t.service();
    const statements = await statementsDuring(
      t,
      (sql) => replacesVersions(sql) || adoptsAlone(sql),
      () => Promise.all(ids.map((id) => service.update('Practitioner', id, { resourceType: 'Practitioner', id, identifier: [npi] }))),
    );
    expect(statements).toHaveLength(1);
    expect(await Promise.all(ids.map(rolesOf))).toEqual([[], []]);
  });

  test('under two systems: written so that a reference without a system stays unresolved and one with a system is adopted', async () => {
    const value = `97${Date.now() % 100_000_000}`;
    await roleNaming({ value });
    const withSystem = await roleNaming({ system: NPI, value });
    const service = t.service();
    const [npiHolder, otherHolder] = await Promise.all([
      service.create({ resourceType: 'Practitioner', identifier: [{ system: NPI, value }] }),
      service.create({ resourceType: 'Practitioner', identifier: [{ system: 'http://example.org/staff', value }] }),
    ]);
    expect(await rolesOf(npiHolder.resource.id!)).toEqual([withSystem]);
    // The role naming the value without a system is adopted by neither holder.
    expect(await rolesOf(otherHolder.resource.id!)).toEqual([]);
  });
});
