import { startTestApp, type TestApp } from '../helpers/test-app';
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
});

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
