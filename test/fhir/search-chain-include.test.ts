import type { Bundle } from '@medplum/fhirtypes';
import { statementsDuring } from '../helpers/statements';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { create, includedRefs, matchIds, search, sorted, unique } from './search/fixtures';

let t: TestApp;
const u = unique();
let org: string, practitioner: string, otherPractitioner: string, role: string, otherRole: string, location: string;
let patient: string, order: string, locationOrder: string;

beforeAll(async () => {
  t = await startTestApp();
  org = (await create(t, { resourceType: 'Organization', name: `Clinic${u}` })).id;
  location = (await create(t, { resourceType: 'Location', name: `Room${u}`, managingOrganization: { reference: `Organization/${org}` } })).id;
  practitioner = (await create(t, { resourceType: 'Practitioner', name: [{ family: `Smith${u}` }] })).id;
  otherPractitioner = (await create(t, { resourceType: 'Practitioner', name: [{ family: `Jones${u}` }] })).id;
  role = (
    await create(t, {
      resourceType: 'PractitionerRole',
      practitioner: { reference: `Practitioner/${practitioner}` },
      organization: { reference: `Organization/${org}` },
      location: [{ reference: `Location/${location}` }],
    })
  ).id;
  otherRole = (await create(t, { resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${otherPractitioner}` } })).id;
  patient = (await create(t, { resourceType: 'Patient', name: [{ family: `Chain${u}` }], managingOrganization: { reference: `Organization/${org}` } })).id;
  order = (
    await create(t, {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${patient}` },
      requester: { reference: `PractitionerRole/${role}` },
    })
  ).id;
  locationOrder = (await create(t, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Location/${location}` } })).id;
});
afterAll(() => t.close());

describe('chaining', () => {
  test('through a reference with one target type', async () => {
    expect(matchIds(await search(t, `PractitionerRole?practitioner.name=smith${u}`))).toEqual([role]);
    expect(matchIds(await search(t, `PractitionerRole?practitioner.family:exact=Jones${u}`))).toEqual([otherRole]);
  });

  test('with a :Type modifier on a reference that allows several types', async () => {
    expect(matchIds(await search(t, `ServiceRequest?subject:Patient.family=chain${u}`))).toEqual([order]);
    expect(matchIds(await search(t, `ServiceRequest?subject:Location.name=room${u}`))).toEqual([locationOrder]);
  });

  test('without a type modifier, every stored target type that has the parameter is searched', async () => {
    const both = `ServiceRequest?subject.name=chain${u},room${u}`;
    expect(matchIds(await search(t, both))).toEqual(sorted([order, locationOrder]));
  });

  test('chained token, reference and _id parameters', async () => {
    expect(matchIds(await search(t, `ServiceRequest?subject:Patient._id=${patient}`))).toEqual([order]);
    expect(matchIds(await search(t, `PractitionerRole?practitioner._id=${practitioner}`))).toEqual([role]);
    expect(matchIds(await search(t, `Patient?organization.name=clinic${u}`))).toEqual([patient]);
  });

  test('a deleted target no longer matches', async () => {
    const gone = (await create(t, { resourceType: 'Practitioner', name: [{ family: `Gone${u}` }] })).id;
    const goneRole = (await create(t, { resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${gone}` } })).id;
    expect(matchIds(await search(t, `PractitionerRole?practitioner.name=gone${u}`))).toEqual([goneRole]);
    await t.http.delete(`/fhir/R4/Practitioner/${gone}`).expect(200);
    expect(matchIds(await search(t, `PractitionerRole?practitioner.name=gone${u}`))).toEqual([]);
  });

  test('a reference to a resource that does not exist meets no chained criterion, whether or not the target has index rows to ask', async () => {
    const nameless = (await create(t, { resourceType: 'Patient', gender: 'other' })).id;
    const named = (await create(t, { resourceType: 'Patient', name: [{ family: `Live${u}` }] })).id;
    const orderFor = async (reference: string): Promise<string> =>
      (await create(t, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference } })).id;
    const toNameless = await orderFor(`Patient/${nameless}`);
    const toNamed = await orderFor(`Patient/${named}`);
    const dangling = await orderFor(`Patient/never-${u}`);
    const among = `_id=${toNameless},${toNamed},${dangling}`;
    expect(matchIds(await search(t, `ServiceRequest?subject:Patient.family=live${u}&${among}`))).toEqual([toNamed]);
    expect(matchIds(await search(t, `ServiceRequest?subject:Patient.family:missing=false&${among}`))).toEqual([toNamed]);
    expect(matchIds(await search(t, `ServiceRequest?subject:Patient.family:missing=true&${among}`))).toEqual([toNameless]);
    expect(matchIds(await search(t, `ServiceRequest?subject:Patient.gender:not=male&${among}`))).toEqual(sorted([toNameless, toNamed]));
    expect(matchIds(await search(t, `ServiceRequest?subject:Patient._id=never-${u}`))).toEqual([]);
  });

  test('pages through many matches in id order, with the total, each subject once, deleted ones left out', async () => {
    const busy = (await create(t, { resourceType: 'Patient', name: [{ family: `Busy${u}` }] })).id;
    const alsoBusy = (await create(t, { resourceType: 'Patient', name: [{ family: `Busy${u}` }] })).id;
    const order = (subject: string) =>
      create(t, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${subject}` } });
    const orders = await Promise.all([...Array.from({ length: 6 }, () => order(busy)), ...Array.from({ length: 2 }, () => order(alsoBusy))]);
    const [cancelled] = orders;
    await t.http.delete(`/fhir/R4/ServiceRequest/${cancelled?.id}`).expect(200);
    const expected = orders
      .slice(1)
      .map((o) => o.id)
      .sort();
    const pages: string[][] = [];
    let url: string | undefined = `ServiceRequest?subject.family=busy${u}&_count=3&_total=accurate`;
    while (url) {
      const page: Bundle = await search(t, url);
      expect(page.total).toBe(expected.length);
      pages.push(matchIds(page, true));
      const next = page.link?.find((l) => l.relation === 'next')?.url;
      url = next?.slice(next.indexOf('ServiceRequest?'));
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(expected);
  });

  test('more matches than the index probe reads: the page is cut from the reference rows in id order', async () => {
    const crowded = `crowded-${u}`;
    const ids = Array.from({ length: 1005 }, (_, i) => `crowded-${u}-${String(i).padStart(4, '0')}`);
    const lines = [
      { resourceType: 'Patient', id: crowded, name: [{ family: `Crowded${u}` }] },
      ...ids.map((id) => ({ resourceType: 'ServiceRequest', id, status: 'active', intent: 'order', subject: { reference: `Patient/${crowded}` } })),
    ];
    const load = await t.http
      .post('/fhir/R4/$import')
      .set('content-type', 'application/fhir+ndjson')
      .send(lines.map((line) => JSON.stringify(line)).join('\n'));
    expect(load.status).toBe(200);
    const first = await search(t, `ServiceRequest?subject.family=crowded${u}&_count=20&_total=accurate`);
    expect(first.total).toBe(1005);
    expect(matchIds(first, true)).toEqual(ids.slice(0, 20));
    const later = await search(t, `ServiceRequest?subject.family=crowded${u}&_count=20&_offset=1000`);
    expect(matchIds(later, true)).toEqual(ids.slice(1000));
  });

  test('a target met by two of its names counts each reference once, in the total and the pages', async () => {
    // Family and given both match: each reference is met twice, 2 × 300 rows (within the index probe) and 2 × 700 (past it).
    const ordersOf = (name: string, count: number) => Array.from({ length: count }, (_, i) => `${name}-${u}-${String(i).padStart(4, '0')}`);
    const subjects = { few: ordersOf('few', 300), many: ordersOf('many', 700) };
    const lines = Object.entries(subjects).flatMap(([name, ids]) => [
      { resourceType: 'Patient', id: `${name}-${u}`, name: [{ family: `${name}${u}`, given: [`${name}${u}given`] }] },
      ...ids.map((id) => ({ resourceType: 'ServiceRequest', id, status: 'active', intent: 'order', subject: { reference: `Patient/${name}-${u}` } })),
    ]);
    const load = await t.http
      .post('/fhir/R4/$import')
      .set('content-type', 'application/fhir+ndjson')
      .send(lines.map((line) => JSON.stringify(line)).join('\n'));
    expect(load.status).toBe(200);
    for (const [name, ids] of Object.entries(subjects)) {
      const first = await search(t, `ServiceRequest?subject.name=${name}${u}&_count=20&_total=accurate`);
      expect(first.total).toBe(ids.length);
      expect(matchIds(first, true)).toEqual(ids.slice(0, 20));
      const last = await search(t, `ServiceRequest?subject:Patient.name=${name}${u}&_count=20&_offset=${ids.length - 10}&_total=accurate`);
      expect(last.total).toBe(ids.length);
      expect(matchIds(last, true)).toEqual(ids.slice(-10));
    }
  });

  test('a page cut from many matches over two target types leaves out other names, a deleted target and a reference to nothing', async () => {
    const subjects = {
      patient: `Patient/packed-${u}`,
      location: `Location/packed-${u}`,
      other: `Patient/other-${u}`,
      gone: `Patient/gone-${u}`,
      nothing: `Patient/nothing-${u}`,
    };
    const subjectOf = (i: number): string =>
      i % 13 === 0 ? subjects.nothing : i % 11 === 0 ? subjects.gone : i % 7 === 5 ? subjects.other : i % 7 === 3 ? subjects.location : subjects.patient;
    const orders = Array.from({ length: 1400 }, (_, i) => ({ id: `packed-${u}-${String(i).padStart(4, '0')}`, subject: subjectOf(i) }));
    const lines = [
      { resourceType: 'Patient', id: `packed-${u}`, name: [{ family: `Packed${u}` }] },
      { resourceType: 'Location', id: `packed-${u}`, name: `Packed${u}` },
      { resourceType: 'Patient', id: `other-${u}`, name: [{ family: `Other${u}` }] },
      { resourceType: 'Patient', id: `gone-${u}`, name: [{ family: `Packed${u}` }] },
      ...orders.map(({ id, subject }) => ({ resourceType: 'ServiceRequest', id, status: 'active', intent: 'order', subject: { reference: subject } })),
    ];
    const load = await t.http
      .post('/fhir/R4/$import')
      .set('content-type', 'application/fhir+ndjson')
      .send(lines.map((line) => JSON.stringify(line)).join('\n'));
    expect(load.status).toBe(200);
    await t.http.delete(`/fhir/R4/Patient/gone-${u}`).expect(200);
    const idsFor = (...wanted: string[]): string[] => orders.filter((o) => wanted.includes(o.subject)).map((o) => o.id);
    const either = idsFor(subjects.patient, subjects.location);
    expect(either.length).toBeGreaterThan(1000);
    expect(matchIds(await search(t, `ServiceRequest?subject.name=packed${u}&_count=20`), true)).toEqual(either.slice(0, 20));
    expect(matchIds(await search(t, `ServiceRequest?subject.name=packed${u}&_count=20&_offset=990`), true)).toEqual(either.slice(990, 1010));
    expect(matchIds(await search(t, `ServiceRequest?subject.name:exact=Packed${u}&_count=20&_offset=990`), true)).toEqual(either.slice(990, 1010));
    expect(matchIds(await search(t, `ServiceRequest?subject:Location.name=packed${u}&_count=20`), true)).toEqual(idsFor(subjects.location).slice(0, 20));
    expect(matchIds(await search(t, `ServiceRequest?subject:Patient.name=packed${u}&_count=20&_offset=980`), true)).toEqual(
      idsFor(subjects.patient).slice(980, 1000),
    );
  });
});

/** The search's Bundle, and how many of the statements it ran `wanted` picks. */
async function searchCountingStatements(path: string, wanted: (sql: string) => boolean): Promise<{ bundle: Bundle; statements: number }> {
  let bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  const statements = await statementsDuring(t, wanted, async () => {
    bundle = (await t.http.get(`${FHIR_BASE}/${path}`).expect(200)).body as Bundle;
  });
  return { bundle, statements: statements.length };
}

/** The included resources' references, in the Bundle's order. */
const includedInOrder = (bundle: Bundle): string[] =>
  (bundle.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);

describe('_include and _revinclude', () => {
  test('_include adds the referenced resources with search.mode include', async () => {
    const bundle = await search(t, `PractitionerRole?_id=${role}&_include=PractitionerRole:practitioner&_include=PractitionerRole:organization`);
    expect(matchIds(bundle)).toEqual([role]);
    expect(includedRefs(bundle)).toEqual(sorted([`Practitioner/${practitioner}`, `Organization/${org}`]));
    expect(bundle.total).toBe(1);
  });

  test('Type:param:Target restricts the target type; * follows every reference', async () => {
    const onlyPatients = await search(t, `ServiceRequest?_id=${order},${locationOrder}&_include=ServiceRequest:subject:Patient`);
    expect(includedRefs(onlyPatients)).toEqual([`Patient/${patient}`]);
    const all = await search(t, `PractitionerRole?_id=${role}&_include=*`);
    expect(includedRefs(all)).toEqual(sorted([`Practitioner/${practitioner}`, `Organization/${org}`, `Location/${location}`]));
  });

  test('_revinclude adds the resources that point at the matches', async () => {
    const bundle = await search(t, `Practitioner?_id=${practitioner},${otherPractitioner}&_revinclude=PractitionerRole:practitioner`);
    expect(matchIds(bundle)).toEqual(sorted([practitioner, otherPractitioner]));
    expect(includedRefs(bundle)).toEqual(sorted([`PractitionerRole/${role}`, `PractitionerRole/${otherRole}`]));
  });

  test(':iterate follows includes from included resources', async () => {
    const flat = await search(t, `ServiceRequest?_id=${order}&_include=ServiceRequest:requester&_include=PractitionerRole:practitioner`);
    expect(includedRefs(flat)).toEqual([`PractitionerRole/${role}`]);
    const deep = await search(
      t,
      `ServiceRequest?_id=${order}&_include=ServiceRequest:requester&_include:iterate=PractitionerRole:practitioner&_include:iterate=PractitionerRole:location&_include:iterate=Location:organization`,
    );
    expect(includedRefs(deep)).toEqual(sorted([`PractitionerRole/${role}`, `Practitioner/${practitioner}`, `Location/${location}`, `Organization/${org}`]));
  });

  test('_revinclude:iterate walks back from included resources', async () => {
    const bundle = await search(t, `Organization?_id=${org}&_revinclude=PractitionerRole:organization&_revinclude:iterate=ServiceRequest:requester`);
    expect(includedRefs(bundle)).toEqual(sorted([`PractitionerRole/${role}`, `ServiceRequest/${order}`]));
  });

  test('each round of includes is one statement, its resources in the order of the specs', async () => {
    // The page is found by `_id` alone: every statement that reads references is a round of includes.
    const { bundle, statements } = await searchCountingStatements(
      `ServiceRequest?_id=${order}&_include=ServiceRequest:subject&_include=ServiceRequest:requester&_include:iterate=PractitionerRole:practitioner&_include:iterate=PractitionerRole:organization`,
      (sql) => sql.includes('search_reference'),
    );
    expect(statements).toBe(2);
    expect(includedInOrder(bundle)).toEqual([`Patient/${patient}`, `PractitionerRole/${role}`, `Practitioner/${practitioner}`, `Organization/${org}`]);
  });

  test('a page found by one index criterion brings its first round of includes in the same statement', async () => {
    const { bundle, statements } = await searchCountingStatements(
      `ServiceRequest?subject=Patient/${patient}&_include=ServiceRequest:subject&_include=ServiceRequest:requester&_include:iterate=PractitionerRole:practitioner&_include:iterate=Patient:organization`,
      (sql) => sql.includes('search_'),
    );
    // The page and the first round, then the round the iterated specs follow from what it brought.
    expect(statements).toBe(2);
    expect(matchIds(bundle)).toEqual([order]);
    expect(includedInOrder(bundle)).toEqual([`Patient/${patient}`, `PractitionerRole/${role}`, `Practitioner/${practitioner}`, `Organization/${org}`]);
  });

  test("includes follow the page's resources only, not the match that tells more follow", async () => {
    const subject = (await create(t, { resourceType: 'Patient', name: [{ family: `Paged${u}` }] })).id;
    const orderOf = async (requester: string): Promise<string> =>
      (
        await create(t, {
          resourceType: 'ServiceRequest',
          status: 'active',
          intent: 'order',
          subject: { reference: `Patient/${subject}` },
          requester: { reference: requester },
        })
      ).id;
    const [first, second] = [await orderOf(`PractitionerRole/${role}`), await orderOf(`PractitionerRole/${otherRole}`)];
    const page = await search(t, `ServiceRequest?subject=Patient/${subject}&_count=1&_include=ServiceRequest:requester`);
    expect(matchIds(page)).toEqual([first]);
    expect(includedRefs(page)).toEqual([`PractitionerRole/${role}`]);
    const next = await search(t, `ServiceRequest?subject=Patient/${subject}&_count=1&_offset=1&_include=ServiceRequest:requester`);
    expect(matchIds(next)).toEqual([second]);
    expect(includedRefs(next)).toEqual([`PractitionerRole/${otherRole}`]);
  });

  test('_revinclude from a page found by one index criterion; a spec from another type brings nothing', async () => {
    const patients = await search(t, `Patient?family=Chain${u}&_revinclude=ServiceRequest:subject&_include=ServiceRequest:requester`);
    expect(matchIds(patients)).toEqual([patient]);
    expect(includedRefs(patients)).toEqual([`ServiceRequest/${order}`]);
    const orgs = await search(t, `Organization?name=Clinic${u}&_revinclude=PractitionerRole:organization&_revinclude=Patient:organization`);
    expect(matchIds(orgs)).toEqual([org]);
    expect(includedRefs(orgs)).toEqual(sorted([`PractitionerRole/${role}`, `Patient/${patient}`]));
  });

  test('a resource that is already a match is not included again', async () => {
    const bundle = await search(
      t,
      `PractitionerRole?_id=${role},${otherRole}&_include=PractitionerRole:practitioner&_revinclude=PractitionerRole:practitioner`,
    );
    expect(matchIds(bundle)).toEqual(sorted([role, otherRole]));
    expect(includedRefs(bundle)).toEqual(sorted([`Practitioner/${practitioner}`, `Practitioner/${otherPractitioner}`]));
    const keys = (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
