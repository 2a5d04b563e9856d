import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { create, matchIds, search, sorted, unique } from './search/fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('string parameters', () => {
  const u = unique();
  let a: string, b: string, c: string;
  beforeAll(async () => {
    a = (await create(t, { resourceType: 'Patient', name: [{ family: `Älvarez${u}`, given: ['Bea'] }] })).id;
    b = (await create(t, { resourceType: 'Patient', name: [{ family: `alvarez${u}son` }] })).id;
    c = (await create(t, { resourceType: 'Patient', name: [{ family: `Zed${u}` }], address: [{ city: `Città${u}` }] })).id;
  });

  test('match the start of the value, ignoring case and accents', async () => {
    expect(matchIds(await search(t, `Patient?family=ALVAREZ${u}`))).toEqual(sorted([a, b]));
    expect(matchIds(await search(t, `Patient?address-city=citta${u}`))).toEqual([c]);
  });

  test('a prefix matches up to the next code point, astral and last ones too, wildcards literally', async () => {
    const family = (tail: string) => create(t, { resourceType: 'Patient', name: [{ family: `Prefix${u}${tail}` }] }).then((p) => p.id);
    const a1 = await family('a1');
    const b1 = await family('b1');
    const grin = await family('😀x');
    const grinning = await family('😁');
    const last = await family('\u{10FFFF}z');
    const percent = await family('%_');
    const prefixed = async (tail: string) => matchIds(await search(t, `Patient?family=${encodeURIComponent(`prefix${u}${tail}`)}`));
    expect(await prefixed('a')).toEqual([a1]);
    expect(await prefixed('😀')).toEqual([grin]);
    expect(await prefixed('\u{10FFFF}')).toEqual([last]);
    expect(await prefixed('%')).toEqual([percent]);
    expect(await prefixed('_')).toEqual([]);
    expect(await prefixed('')).toEqual(sorted([a1, b1, grin, grinning, last, percent]));
  });

  test(':exact compares the whole value, case and accents included', async () => {
    expect(matchIds(await search(t, `Patient?family:exact=${encodeURIComponent(`Älvarez${u}`)}`))).toEqual([a]);
    expect(matchIds(await search(t, `Patient?family:exact=alvarez${u}`))).toEqual([]);
  });

  test(':contains matches anywhere in the value', async () => {
    expect(matchIds(await search(t, `Patient?family:contains=Z${u}SO`))).toEqual([b]);
  });

  test('commas OR the values, repeated parameters AND them', async () => {
    expect(matchIds(await search(t, `Patient?family=alvarez${u},zed${u}`))).toEqual(sorted([a, b, c]));
    expect(matchIds(await search(t, `Patient?family=zed${u},`))).toEqual([c]);
    expect(matchIds(await search(t, `Patient?family=alvarez${u}&family=alvarez${u}s`))).toEqual([b]);
    expect(matchIds(await search(t, `Patient?name=bea&family=alvarez${u}`))).toEqual([a]);
  });

  test(':missing finds resources with or without a value', async () => {
    expect(matchIds(await search(t, `Patient?family=alvarez${u},zed${u}&given:missing=true`))).toEqual(sorted([b, c]));
    expect(matchIds(await search(t, `Patient?family=alvarez${u},zed${u}&given:missing=false`))).toEqual([a]);
  });

  test('an escaped comma is part of the value', async () => {
    const id = (await create(t, { resourceType: 'Organization', name: `Smith, Jones ${u}` })).id;
    expect(matchIds(await search(t, `Organization?name=${encodeURIComponent(`smith\\, jones ${u}`)}`))).toEqual([id]);
  });
});

describe('token parameters', () => {
  const u = unique();
  const sys = `http://example.org/mrn/${u}`;
  const other = `http://example.org/other/${u}`;
  let a: string, b: string, c: string;
  beforeAll(async () => {
    a = (
      await create(t, {
        resourceType: 'Patient',
        gender: 'female',
        active: true,
        name: [{ family: `Tok${u}` }],
        identifier: [{ system: sys, value: `v1-${u}`, type: { text: 'Medical Record Number' } }],
        telecom: [{ system: 'email', value: `ann${u}@example.org` }],
      })
    ).id;
    b = (
      await create(t, {
        resourceType: 'Patient',
        gender: 'male',
        active: false,
        name: [{ family: `Tok${u}` }],
        identifier: [{ system: other, value: `v1-${u}` }, { value: `v2-${u}` }],
      })
    ).id;
    c = (await create(t, { resourceType: 'Patient', name: [{ family: `Tok${u}` }], meta: { tag: [{ system: `http://tags/${u}`, code: 'vip' }] } })).id;
  });

  test('code alone matches in any system', async () => {
    expect(matchIds(await search(t, `Patient?identifier=v1-${u}`))).toEqual(sorted([a, b]));
  });

  test('system|code, |code (no system) and system| (any code)', async () => {
    expect(matchIds(await search(t, `Patient?identifier=${encodeURIComponent(`${sys}|v1-${u}`)}`))).toEqual([a]);
    expect(matchIds(await search(t, `Patient?identifier=${encodeURIComponent(`|v2-${u}`)}`))).toEqual([b]);
    expect(matchIds(await search(t, `Patient?identifier=${encodeURIComponent(`|v1-${u}`)}`))).toEqual([]);
    expect(matchIds(await search(t, `Patient?identifier=${encodeURIComponent(`${other}|`)}`))).toEqual([b]);
  });

  test(':not excludes matching resources and keeps those without a value', async () => {
    expect(matchIds(await search(t, `Patient?family=tok${u}&gender:not=female`))).toEqual(sorted([b, c]));
    expect(matchIds(await search(t, `Patient?family=tok${u}&gender:not=female,male`))).toEqual([c]);
  });

  test(':text searches the display text from its start', async () => {
    expect(matchIds(await search(t, `Patient?family=tok${u}&identifier:text=medical%20rec`))).toEqual([a]);
  });

  test('booleans, ContactPoints and meta tags are tokens too', async () => {
    expect(matchIds(await search(t, `Patient?family=tok${u}&active=true`))).toEqual([a]);
    expect(matchIds(await search(t, `Patient?email=ann${u}@example.org`))).toEqual([a]);
    expect(matchIds(await search(t, `Patient?_tag=${encodeURIComponent(`http://tags/${u}|vip`)}`))).toEqual([c]);
  });

  test('_id takes a list of ids', async () => {
    expect(matchIds(await search(t, `Patient?_id=${a},${c},no-such-id`))).toEqual(sorted([a, c]));
    expect(matchIds(await search(t, `Patient?_id=${a}&_id:missing=false`))).toEqual([a]);
    expect(matchIds(await search(t, `Patient?_id=${a}&_id:missing=true`))).toEqual([]);
  });
});

describe('reference parameters', () => {
  const u = unique();
  let practitioner: string, otherPractitioner: string, role: string, remoteRole: string, otherRemoteRole: string, sameIdRole: string;
  beforeAll(async () => {
    practitioner = (await create(t, { resourceType: 'Practitioner', name: [{ family: `Ref${u}` }] })).id;
    otherPractitioner = (await create(t, { resourceType: 'Practitioner', name: [{ family: `Ref${u}` }] })).id;
    role = (await create(t, { resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${practitioner}` }, code: [{ text: u }] })).id;
    remoteRole = (await create(t, { resourceType: 'PractitionerRole', practitioner: { reference: `https://elsewhere.example/fhir/Practitioner/${u}` } })).id;
    // The same type and id as the remote one, on another server and on this one.
    otherRemoteRole = (await create(t, { resourceType: 'PractitionerRole', practitioner: { reference: `https://other.example/fhir/Practitioner/${u}` } })).id;
    sameIdRole = (await create(t, { resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${u}` } })).id;
  });

  test('Type/id, a bare id and the :Type modifier', async () => {
    expect(matchIds(await search(t, `PractitionerRole?practitioner=Practitioner/${practitioner}`))).toEqual([role]);
    expect(matchIds(await search(t, `PractitionerRole?practitioner=${practitioner}`))).toEqual([role]);
    expect(matchIds(await search(t, `PractitionerRole?practitioner:Practitioner=${practitioner}`))).toEqual([role]);
    expect(matchIds(await search(t, `PractitionerRole?practitioner=Practitioner/${otherPractitioner}`))).toEqual([]);
  });

  test('an absolute URL on this server is the same as Type/id; elsewhere it is compared as written', async () => {
    const local = await t.http
      .get(`${FHIR_BASE}/PractitionerRole?practitioner=${encodeURIComponent(`http://fhir.test${FHIR_BASE}/Practitioner/${practitioner}`)}`)
      .set('host', 'fhir.test');
    expect(matchIds(local.body)).toEqual([role]);
    expect(matchIds(await search(t, `PractitionerRole?practitioner=${encodeURIComponent(`https://elsewhere.example/fhir/Practitioner/${u}`)}`))).toEqual([
      remoteRole,
    ]);
    expect(
      matchIds(await search(t, `PractitionerRole?practitioner:Practitioner=${encodeURIComponent(`https://other.example/fhir/Practitioner/${u}`)}`)),
    ).toEqual([otherRemoteRole]);
    expect(matchIds(await search(t, `PractitionerRole?practitioner=${encodeURIComponent(`https://other.example/fhir/Practitioner/${u}x`)}`))).toEqual([]);
    expect(
      matchIds(await search(t, `PractitionerRole?practitioner=${encodeURIComponent(`https://other.example/fhir/Practitioner/${u}`)}&_id=${sameIdRole}`)),
    ).toEqual([]);
  });

  test(':missing', async () => {
    expect(matchIds(await search(t, `PractitionerRole?_id=${role},${remoteRole}&organization:missing=true`))).toEqual(sorted([role, remoteRole]));
    expect(matchIds(await search(t, `PractitionerRole?_id=${role},${remoteRole}&location:missing=false`))).toEqual([]);
  });
});

describe('date parameters', () => {
  const u = unique();
  let day: string, month: string, year: string;
  const ids = (query: string): Promise<string[]> => search(t, `Patient?family=dat${u}&${query}`).then((b) => matchIds(b));
  beforeAll(async () => {
    day = (await create(t, { resourceType: 'Patient', name: [{ family: `Dat${u}` }], birthDate: '1990-05-15' })).id;
    month = (await create(t, { resourceType: 'Patient', name: [{ family: `Dat${u}` }], birthDate: '1990-06' })).id;
    year = (await create(t, { resourceType: 'Patient', name: [{ family: `Dat${u}` }], birthDate: '1991' })).id;
  });

  test('eq (the default) matches values that fall within the precision of the search value', async () => {
    expect(await ids('birthdate=1990')).toEqual(sorted([day, month]));
    expect(await ids('birthdate=1990-05')).toEqual([day]);
    expect(await ids('birthdate=eq1990-05-15')).toEqual([day]);
    expect(await ids('birthdate=1990-06-15')).toEqual([]);
    expect(await ids('birthdate=1990-05-15T10:00:00Z')).toEqual([]);
  });

  test('ne, gt, lt, ge, le, sa, eb', async () => {
    expect(await ids('birthdate=ne1990')).toEqual([year]);
    expect(await ids('birthdate=gt1990-05-31')).toEqual(sorted([month, year]));
    expect(await ids('birthdate=lt1990-06-15')).toEqual(sorted([day, month]));
    expect(await ids('birthdate=ge1990-06-01')).toEqual(sorted([month, year]));
    expect(await ids('birthdate=le1990-05-15')).toEqual([day]);
    expect(await ids('birthdate=sa1990-05-31')).toEqual(sorted([month, year]));
    expect(await ids('birthdate=eb1990-06-01')).toEqual([day]);
    expect(await ids('birthdate=ge1990-01-01&birthdate=lt1991')).toEqual(sorted([day, month]));
  });

  test('repeated values of a one-value date parameter are met by the one value, ORs within each', async () => {
    expect(await ids('birthdate=ge1990-05-01&birthdate=le1990-05-31&birthdate=ne1990-05-15')).toEqual([]);
    expect(await ids('birthdate=lt1990-05-01,gt1990-12-31&birthdate=ge1990-01-01')).toEqual([year]);
    expect(await ids('birthdate=1990-05,1991&birthdate=ge1990-06-01')).toEqual([year]);
    expect(await ids('birthdate=gt1990-05-20&birthdate=lt1990-05-10')).toEqual([]);
  });

  test('a many-valued date parameter matches when different values meet different criteria', async () => {
    const patient = await create(t, { resourceType: 'Patient', name: [{ family: `Dat${u}` }] });
    const order = await create(t, {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${patient.id}` },
      occurrenceTiming: { event: ['2020-01-10', '2020-03-10'] },
    });
    const sr = (query: string): Promise<string[]> => search(t, `ServiceRequest?subject=Patient/${patient.id}&${query}`).then((b) => matchIds(b));
    expect(await sr('occurrence=ge2020-03-01&occurrence=lt2020-02-01')).toEqual([order.id]);
    expect(await sr('occurrence=ge2020-04-01&occurrence=lt2020-02-01')).toEqual([]);
  });

  test('values with a zone compare in UTC; open periods extend forever', async () => {
    const late = await create(t, {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${day}` },
      authoredOn: '2021-03-01T23:30:00-05:00',
      occurrencePeriod: { start: '2021-01-01' },
    });
    const sr = (query: string): Promise<string[]> => search(t, `ServiceRequest?subject=Patient/${day}&${query}`).then((b) => matchIds(b));
    expect(await sr('authored=2021-03-02')).toEqual([late.id]);
    expect(await sr('authored=2021-03-01')).toEqual([]);
    expect(await sr('authored=2021-03-01T23:00:00-05:00')).toEqual([]);
    expect(await sr('authored=ge2021-03-02T04:30:00Z')).toEqual([late.id]);
    expect(await sr('occurrence=gt2999-01-01')).toEqual([late.id]);
    expect(await sr('occurrence=lt2020-12-31')).toEqual([]);
  });

  test('_lastUpdated compares the server timestamp', async () => {
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fresh = await create(t, { resourceType: 'Patient', name: [{ family: `Dat${u}` }] });
    expect(await ids(`_lastUpdated=gt${encodeURIComponent(before)}`)).toEqual([fresh.id]);
    expect(await ids(`_lastUpdated=${fresh.meta.lastUpdated.slice(0, 10)}&_id=${fresh.id}`)).toEqual([fresh.id]);
    expect(await ids(`_lastUpdated=lt${encodeURIComponent(before)}&_id=${fresh.id}`)).toEqual([]);
  });
});

describe('uri parameters', () => {
  const u = unique();
  let protocol: string;
  beforeAll(async () => {
    const patient = await create(t, { resourceType: 'Patient', name: [{ family: `Uri${u}` }] });
    protocol = (
      await create(t, {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        subject: { reference: `Patient/${patient.id}` },
        instantiatesUri: [`http://example.org/${u}/protocols/a`],
      })
    ).id;
  });

  test('exact, :below and :above', async () => {
    const ids = (q: string): Promise<string[]> => search(t, `ServiceRequest?${q}`).then((b) => matchIds(b));
    expect(await ids(`instantiates-uri=${encodeURIComponent(`http://example.org/${u}/protocols/a`)}`)).toEqual([protocol]);
    expect(await ids(`instantiates-uri=${encodeURIComponent(`http://example.org/${u}/protocols`)}`)).toEqual([]);
    expect(await ids(`instantiates-uri:below=${encodeURIComponent(`http://example.org/${u}/protocols`)}`)).toEqual([protocol]);
    expect(await ids(`instantiates-uri:above=${encodeURIComponent(`http://example.org/${u}/protocols/a/v2`)}`)).toEqual([protocol]);
  });

  test('_profile and _source', async () => {
    const profile = 'https://fhir-facade.dev/fhir/StructureDefinition/v1-physician';
    const practitioner = await create(t, {
      resourceType: 'Practitioner',
      meta: { profile: [profile], source: `urn:${u}` },
      identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: u }],
      name: [{ family: `Uri${u}` }],
      qualification: [{ code: { text: 'State licence' } }],
    });
    expect(matchIds(await search(t, `Practitioner?_profile=${encodeURIComponent(profile)}&identifier=${u}`))).toEqual([practitioner.id]);
    expect(matchIds(await search(t, `Practitioner?_source=urn:${u}`))).toEqual([practitioner.id]);
  });
});
