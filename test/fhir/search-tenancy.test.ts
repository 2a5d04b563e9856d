import { randomUUID } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { create, includedRefs, matchIds, search, unique } from './search/fixtures';

let mine: TestApp;
let theirs: TestApp;
const u = unique();
const ids: Record<string, string> = {};

/** Every resource id anywhere in a Bundle. */
const allIds = (bundle: Bundle): string[] => (bundle.entry ?? []).map((e) => e.resource?.id as string);

beforeAll(async () => {
  mine = await startTestApp();
  theirs = await mine.otherTenant();
  // The other tenant holds the same names and identifiers, and a role pointing by id at a
  // practitioner of ours. A reference to another tenant's resource is refused on write, so
  // that role is written while the id names nothing, and our practitioner takes the id after.
  ids.minePractitioner = randomUUID();
  ids.crossRole = (await create(theirs, { resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${ids.minePractitioner}` } })).id;
  const practitioner = { resourceType: 'Practitioner' as const, name: [{ family: `Iso${u}` }], identifier: [{ system: 'http://x', value: u }] };
  await mine.http
    .put(`${FHIR_BASE}/Practitioner/${ids.minePractitioner}`)
    .send({ ...practitioner, id: ids.minePractitioner })
    .expect(201);
  ids.theirsPractitioner = (await create(theirs, practitioner)).id;
  for (const [key, app] of [
    ['mine', mine],
    ['theirs', theirs],
  ] as const) {
    ids[`${key}Role`] = (await create(app, { resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${ids[`${key}Practitioner`]}` } })).id;
  }
  ids.theirLonelyRole = (await create(theirs, { resourceType: 'PractitionerRole', code: [{ text: u }] })).id;
});
afterAll(() => mine.close());

test('searches only ever see the tenant’s own resources', async () => {
  expect(matchIds(await search(mine, `Practitioner?family=iso${u}`))).toEqual([ids.minePractitioner]);
  expect(matchIds(await search(mine, `Practitioner?identifier=${u}`))).toEqual([ids.minePractitioner]);
  expect((await search(mine, `Practitioner?family=iso${u}`)).total).toBe(1);
});

test('_id of another tenant’s resource finds nothing', async () => {
  expect(matchIds(await search(mine, `Practitioner?_id=${ids.theirsPractitioner}`))).toEqual([]);
  expect(matchIds(await search(mine, `PractitionerRole?_id=${ids.theirLonelyRole},${ids.crossRole}`))).toEqual([]);
});

test('references and chains do not cross tenants', async () => {
  expect(matchIds(await search(mine, `PractitionerRole?practitioner=${ids.minePractitioner}`))).toEqual([ids.mineRole]);
  expect(matchIds(await search(mine, `PractitionerRole?practitioner.name=iso${u}`))).toEqual([ids.mineRole]);
  expect(matchIds(await search(theirs, `PractitionerRole?practitioner=${ids.minePractitioner}`))).toEqual([ids.crossRole]);
  // their role points at our practitioner's id, but in their tenant that id does not exist
  expect(matchIds(await search(theirs, `PractitionerRole?practitioner._id=${ids.minePractitioner}`))).toEqual([]);
});

test('_include and _revinclude never bring in another tenant’s resources', async () => {
  const forward = await search(theirs, `PractitionerRole?_id=${ids.crossRole}&_include=PractitionerRole:practitioner`);
  expect(matchIds(forward)).toEqual([ids.crossRole]);
  expect(includedRefs(forward)).toEqual([]);
  const reverse = await search(
    mine,
    `Practitioner?_id=${ids.minePractitioner}&_revinclude=PractitionerRole:practitioner&_revinclude:iterate=PractitionerRole:*`,
  );
  expect(allIds(reverse).sort()).toEqual([ids.minePractitioner, ids.mineRole].sort());
});

test('paging links carry no tenant and page only the tenant’s data', async () => {
  const first = await search(mine, `Practitioner?family=iso${u}&_count=1&_offset=0`);
  expect(first.link?.find((l) => l.relation === 'next')).toBeUndefined();
  const next = await search(mine, `Practitioner?family=iso${u}&_count=1&_offset=1`);
  expect(allIds(next)).toEqual([]);
  expect(JSON.stringify(first.link)).not.toContain(mine.tenantId);
});

test('conditional create in one tenant does not see a match in another', async () => {
  const res = await theirs.http
    .post('/fhir/R4/Practitioner')
    .set('content-type', 'application/fhir+json')
    .set('if-none-exist', `identifier=${u}&family=iso${u}`)
    .send({ resourceType: 'Practitioner', name: [{ family: `Iso${u}` }], identifier: [{ system: 'http://x', value: u }] });
  expect(res.status).toBe(200);
  expect(res.body.id).toBe(ids.theirsPractitioner);
  const fresh = unique();
  const created = await theirs.http
    .post('/fhir/R4/Patient')
    .set('content-type', 'application/fhir+json')
    .set('if-none-exist', `family=${fresh}`)
    .send({ resourceType: 'Patient', name: [{ family: fresh }] });
  expect(created.status).toBe(201);
  const again = await mine.http
    .post('/fhir/R4/Patient')
    .set('content-type', 'application/fhir+json')
    .set('if-none-exist', `family=${fresh}`)
    .send({ resourceType: 'Patient', name: [{ family: fresh }] });
  expect(again.status).toBe(201);
  expect(again.body.id).not.toBe(created.body.id);
});
