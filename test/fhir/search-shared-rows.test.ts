import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/*
 * `phonetic` is R4's `name` path on Patient and Practitioner: its searches read the `name`
 * rows (src/fhir/indexing/index-codes.ts), so a write stores those rows once, and every way of
 * searching it (value, :exact, :contains, :missing, _sort) answers as `name` does.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const post = (body: object) =>
  t.http
    .post(`${FHIR_BASE}/${(body as { resourceType: string }).resourceType}`)
    .set('content-type', 'application/fhir+json')
    .send(body);

async function ids(type: string, query: string): Promise<string[]> {
  const res = await t.http.get(`${FHIR_BASE}/${type}?${query}`);
  expect(res.status).toBe(200);
  return ((res.body.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id);
}

test.each(['Patient', 'Practitioner'])('%s: phonetic finds what name finds, from rows stored once', async (type) => {
  const family = `Phon${randomUUID().slice(0, 8)}`;
  const a = (await post({ resourceType: type, name: [{ family, given: ['Ava'] }] })).body.id as string;
  const b = (await post({ resourceType: type, name: [{ family: `${family}b`, given: ['Zed'] }] })).body.id as string;
  const unnamed = (await post({ resourceType: type, gender: 'other', identifier: [{ system: 'urn:x', value: family }] })).body.id as string;

  for (const query of [`=${family}`, `:exact=${family}b`, `:contains=${family.slice(2).toLowerCase()}`, `=ava`]) {
    expect(await ids(type, `phonetic${query}&name=${family}`)).toEqual(await ids(type, `name${query}&name=${family}`));
  }
  expect(new Set(await ids(type, `phonetic=${family}`))).toEqual(new Set([a, b]));
  expect(await ids(type, `phonetic:missing=true&identifier=urn:x|${family}`)).toEqual([unnamed]);
  expect(await ids(type, `phonetic=${family}&_sort=-phonetic`)).toEqual(await ids(type, `phonetic=${family}&_sort=-name`));

  const codes = await t.knex('search_string').where({ tenant_id: t.tenantId, resource_id: a }).distinct('code').pluck('code');
  // The name's family and given, under their own parameters (below): nothing under `phonetic`.
  expect(codes.sort()).toEqual(['family', 'given']);
});

/*
 * `name` is the whole HumanName and `address` the whole Address, while `family`, `given` and
 * `address-city`, `-state`, `-postalcode`, `-country` index their parts: the whole's rows keep
 * only the parts no other parameter stores, and a search on it reads the parts' rows too.
 */
describe.each(['Patient', 'Practitioner'])('%s: name and address read the rows of their parts', (type) => {
  const tag = `P${randomUUID().slice(0, 8)}`;
  const full = {
    resourceType: type,
    identifier: [{ system: 'urn:parts', value: tag }],
    name: [{ family: `${tag}Family`, given: ['Ava', 'Maeve'], prefix: ['Dr.'], text: `Ava ${tag}Family` }],
    address: [{ line: ['1 Elm Street'], city: `${tag}City`, district: 'North', state: 'MA', postalCode: '02139', country: 'US' }],
  };
  let id = '';
  let bare = '';
  beforeAll(async () => {
    id = (await post(full)).body.id as string;
    bare = (await post({ resourceType: type, identifier: [{ system: 'urn:parts', value: tag }], gender: 'unknown' })).body.id as string;
  });

  const byTag = (query: string) => ids(type, `identifier=urn:parts|${tag}&${query}`);

  test.each([
    ['name', `${tag}Family`],
    ['name', 'mae'],
    ['name', 'dr'],
    ['name', 'ava'],
    ['name:exact', `${tag}Family`],
    ['name:exact', 'Maeve'],
    ['name:contains', 'family'],
    ['address', '1 elm'],
    ['address', `${tag}city`],
    ['address', 'north'],
    ['address', 'ma'],
    ['address', '0213'],
    ['address', 'us'],
    ['address:exact', `${tag}City`],
    ['address:contains', 'city'],
  ])('%s=%s matches', async (param, value) => {
    expect(await byTag(`${param}=${encodeURIComponent(value)}`)).toEqual([id]);
  });

  test.each([
    ['name:exact', 'maeve'],
    ['name', 'zed'],
    ['address:exact', `${tag}city`],
    ['address', 'south'],
  ])('%s=%s does not match', async (param, value) => {
    expect(await byTag(`${param}=${encodeURIComponent(value)}`)).toEqual([]);
  });

  test(':missing and _sort see the parts', async () => {
    expect(await byTag('name:missing=false')).toEqual([id]);
    expect(await byTag('name:missing=true')).toEqual([bare]);
    expect(await byTag('address:missing=true')).toEqual([bare]);
    expect(await byTag('_sort=name')).toEqual([id, bare]);
    expect(await byTag('_sort=-address')).toEqual([id, bare]);
  });

  test('a chain to the whole reads the parts', async () => {
    const [source, chain, referrer] =
      type === 'Patient'
        ? ['ServiceRequest', 'subject', { status: 'active', intent: 'order', code: { text: 'panel' }, subject: { reference: `Patient/${id}` } }]
        : ['PractitionerRole', 'practitioner', { practitioner: { reference: `Practitioner/${id}` } }];
    const referring = (await post({ resourceType: source, ...referrer })).body.id as string;
    expect(await ids(source, `${chain}.name=${tag}Family`)).toEqual([referring]);
    expect(await ids(source, `${chain}.address=${tag}city`)).toEqual([referring]);
  });

  test('the parts are stored once, under their own parameters', async () => {
    const rows = (await t.knex('search_string').where({ tenant_id: t.tenantId, resource_id: id }).select('code', 'exact')) as { code: string; exact: string }[];
    const of = (code: string) =>
      rows
        .filter((r) => r.code === code)
        .map((r) => r.exact)
        .sort();
    expect(of('name')).toEqual(['Ava ' + `${tag}Family`, 'Dr.']);
    expect(of('family')).toEqual([`${tag}Family`]);
    expect(of('given')).toEqual(['Ava', 'Maeve']);
    expect(of('address')).toEqual(['1 Elm Street', 'North']);
    expect(of('address-city')).toEqual([`${tag}City`]);
  });

  test('rows written before the parts were split (the whole holding them too) change no answer', async () => {
    await t
      .knex('search_string')
      .insert({ tenant_id: t.tenantId, resource_type: type, resource_id: id, code: 'name', value: `${tag}family`.toLowerCase(), exact: `${tag}Family` });
    const res = await t.http.get(`${FHIR_BASE}/${type}?name=${tag}Family&_total=accurate`);
    expect(res.body.total).toBe(1);
    expect((res.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id)).toEqual([id]);
  });
});

/*
 * `phone` and `email` are `telecom` filtered by system: those parameters keep the rows of the
 * contact points their filter chooses, `telecom` only the rest, and every way of searching
 * `telecom` reads all three.
 */
describe.each(['Patient', 'Practitioner', 'PractitionerRole'])('%s: telecom reads the rows of phone and email', (type) => {
  const tag = `N${randomUUID().slice(0, 8)}`;
  const phone = `555-${tag}`;
  const email = `${tag}@example.org`;
  let id = '';
  let phoneOnly = '';
  beforeAll(async () => {
    const identifier = [{ system: 'urn:narrow', value: tag }];
    const telecom = [
      { system: 'phone', value: phone },
      { system: 'email', value: email },
      { system: 'fax', value: `556-${tag}` },
    ];
    id = (await post({ resourceType: type, identifier, telecom })).body.id as string;
    phoneOnly = (await post({ resourceType: type, identifier, telecom: [{ system: 'phone', value: `550-${tag}` }] })).body.id as string;
  });

  const byTag = (query: string) => ids(type, `identifier=urn:narrow|${tag}&${query}`);

  test('each contact point is stored once: under phone or email when its system is theirs, else under telecom', async () => {
    const rows = (await t
      .knex('search_token')
      .where({ tenant_id: t.tenantId, resource_id: id })
      .whereIn('code', ['telecom', 'phone', 'email'])
      .select('code', 'system')) as {
      code: string;
      system: string;
    }[];
    expect(rows.map((row) => `${row.code} ${row.system}`).sort()).toEqual(['email email', 'phone phone', 'telecom fax']);
  });

  test.each([
    ['telecom', `phone|${phone}`, () => [id]],
    ['telecom', `email|${email}`, () => [id]],
    ['telecom', phone, () => [id]],
    ['telecom', `556-${tag}`, () => [id]],
    ['telecom', `fax|${phone}`, () => []],
    ['telecom:missing', 'false', () => [id, phoneOnly].sort()],
    ['phone', phone, () => [id]],
    ['phone', `556-${tag}`, () => []],
    ['phone', email, () => []],
    ['email', email, () => [id]],
    ['email:missing', 'true', () => [phoneOnly]],
  ])('%s=%s', async (param, value, expected) => {
    expect((await byTag(`${param}=${encodeURIComponent(value)}`)).sort()).toEqual(expected());
  });

  test('_sort by telecom reads every code of it', async () => {
    // The lowest values are phones ("550-…" before "555-…"), stored under `phone` only.
    expect(await byTag('_sort=telecom')).toEqual([phoneOnly, id]);
  });

  test('rows written before (telecom holding them too) change no answer', async () => {
    await t.knex('search_token').insert({ tenant_id: t.tenantId, resource_type: type, resource_id: id, code: 'telecom', system: 'phone', value: phone });
    const res = await t.http.get(`${FHIR_BASE}/${type}?telecom=${encodeURIComponent(phone)}&_total=accurate`);
    expect(res.body.total).toBe(1);
    expect((res.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id)).toEqual([id]);
  });
});

test('a chain to the telecom of a Patient reads the phone and email rows too', async () => {
  const phone = `558-${randomUUID().slice(0, 8)}`;
  const patient = (await post({ resourceType: 'Patient', telecom: [{ system: 'phone', value: phone }] })).body.id as string;
  const order = { resourceType: 'ServiceRequest', status: 'active', intent: 'order', code: { text: 'panel' }, subject: { reference: `Patient/${patient}` } };
  const referring = (await post(order)).body.id as string;
  expect(await ids('ServiceRequest', `subject:Patient.telecom=${encodeURIComponent(`phone|${phone}`)}`)).toEqual([referring]);
});

/*
 * An order's `patient` is its `subject` that points at a Patient: those reference rows are
 * stored under `patient` alone, the others (a Location, a Group) under `subject`, and every way
 * of searching `subject` reads both.
 */
describe('an order keeps its Patient reference under patient alone', () => {
  const tag = `S${randomUUID().slice(0, 8)}`;
  const family = `${tag}Fam`;
  let patient = '';
  let location = '';
  let ofPatient = '';
  let ofLocation = '';
  let byAbsoluteUrl = '';
  beforeAll(async () => {
    patient = (await post({ resourceType: 'Patient', name: [{ family }] })).body.id as string;
    location = (await post({ resourceType: 'Location', name: `${tag} Clinic` })).body.id as string;
    const order = (subject: string) => ({
      resourceType: 'ServiceRequest',
      identifier: [{ system: 'urn:orders', value: tag }],
      status: 'active',
      intent: 'order',
      code: { text: 'panel' },
      subject: { reference: subject },
    });
    ofPatient = (await post(order(`Patient/${patient}`))).body.id as string;
    ofLocation = (await post(order(`Location/${location}`))).body.id as string;
    byAbsoluteUrl = (await post(order(`https://ehr.example.org/fhir/Patient/${patient}`))).body.id as string;
  });

  const orders = (query: string) => ids('ServiceRequest', `identifier=urn:orders|${tag}&${query}`);
  const referenceCodes = (id: string) => t.knex('search_reference').where({ tenant_id: t.tenantId, resource_id: id }).orderBy('code').pluck('code');

  test('a reference is stored once, under patient when it points at a Patient', async () => {
    expect(await referenceCodes(ofPatient)).toEqual(['patient']);
    expect(await referenceCodes(byAbsoluteUrl)).toEqual(['patient']);
    expect(await referenceCodes(ofLocation)).toEqual(['subject']);
  });

  test.each([
    ['subject', () => `Patient/${patient}`, () => [ofPatient, byAbsoluteUrl]],
    ['subject:Patient', () => patient, () => [ofPatient, byAbsoluteUrl]],
    ['subject', () => patient, () => [ofPatient, byAbsoluteUrl]],
    ['subject', () => `Location/${location}`, () => [ofLocation]],
    ['patient', () => patient, () => [ofPatient, byAbsoluteUrl]],
    ['subject.name', () => family, () => [ofPatient, byAbsoluteUrl]],
    ['subject:Patient.family', () => family, () => [ofPatient, byAbsoluteUrl]],
    ['subject:Location.name', () => `${tag} Clinic`, () => [ofLocation]],
    ['subject:missing', () => 'false', () => [ofPatient, ofLocation, byAbsoluteUrl]],
    ['patient:missing', () => 'true', () => [ofLocation]],
  ])('%s=%s', async (param, value, expected) => {
    expect((await orders(`${param}=${encodeURIComponent(value())}`)).sort()).toEqual(expected().sort());
  });

  test('a broad chain walks both codes', async () => {
    // More than a page of matches is walked in id order rather than collected.
    expect((await orders(`subject.name=${encodeURIComponent(family.slice(0, 3))}&_count=1`)).length).toBe(1);
    expect((await orders(`subject:Location.name=${encodeURIComponent(tag.slice(0, 3))}&_count=1`)).length).toBe(1);
  });

  test('_include and _revinclude follow the references under both codes', async () => {
    const included = await t.http.get(`${FHIR_BASE}/ServiceRequest?identifier=urn:orders|${tag}&_include=ServiceRequest:subject`);
    const entries = included.body.entry as { resource: { resourceType: string; id: string }; search: { mode: string } }[];
    expect(
      entries
        .filter((e) => e.search.mode === 'include')
        .map((e) => `${e.resource.resourceType}/${e.resource.id}`)
        .sort(),
    ).toEqual([`Location/${location}`, `Patient/${patient}`].sort());
    const revIncluded = await t.http.get(`${FHIR_BASE}/Patient?_id=${patient}&_revinclude=ServiceRequest:subject`);
    expect((revIncluded.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id).sort()).toEqual([patient, ofPatient, byAbsoluteUrl].sort());
  });
});
