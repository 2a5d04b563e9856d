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
 * `phone` and `email` are `telecom` filtered by system, and an order's `patient` is its
 * `subject` filtered to Patients: the narrow parameter keeps those rows, the wide one only the
 * rest, and every way of searching the wide one reads both.
 */
describe('a parameter reads the rows of those that keep some of its values', () => {
  const tag = `N${randomUUID().slice(0, 8)}`;
  const family = `${tag}Fam`;
  let patient = '';
  let location = '';
  let ofPatient = '';
  let ofLocation = '';
  beforeAll(async () => {
    const telecom = [
      { system: 'phone', value: `555-${tag}` },
      { system: 'email', value: `${tag}@example.org` },
      { system: 'fax', value: `556-${tag}` },
    ];
    patient = (await post({ resourceType: 'Patient', identifier: [{ system: 'urn:narrow', value: tag }], name: [{ family }], telecom })).body.id as string;
    location = (await post({ resourceType: 'Location', name: `${tag} Clinic` })).body.id as string;
    const order = (subject: string) => ({
      resourceType: 'ServiceRequest',
      identifier: [{ system: 'urn:narrow', value: tag }],
      status: 'active',
      intent: 'order',
      code: { text: 'panel' },
      subject: { reference: subject },
    });
    ofPatient = (await post(order(`Patient/${patient}`))).body.id as string;
    ofLocation = (await post(order(`Location/${location}`))).body.id as string;
  });

  const orders = (query: string) => ids('ServiceRequest', `identifier=urn:narrow|${tag}&${query}`);
  const codesOf = (table: string, id: string) => t.knex(table).where({ tenant_id: t.tenantId, resource_id: id }).distinct('code').pluck('code');

  test('each value is stored once: under the narrow parameter when its filter keeps it, else under the wide one', async () => {
    expect(await codesOf('search_reference', ofPatient)).toContain('patient');
    expect(await codesOf('search_reference', ofPatient)).not.toContain('subject');
    expect(await codesOf('search_reference', ofLocation)).toContain('subject');
    expect(await codesOf('search_reference', ofLocation)).not.toContain('patient');
    const tokens = (await t
      .knex('search_token')
      .where({ tenant_id: t.tenantId, resource_id: patient })
      .whereIn('code', ['telecom', 'phone', 'email'])
      .select('code', 'system')) as {
      code: string;
      system: string;
    }[];
    expect(tokens.map((row) => `${row.code} ${row.system}`).sort()).toEqual(['email email', 'phone phone', 'telecom fax']);
  });

  test.each([
    ['subject', () => `Patient/${patient}`, () => [ofPatient]],
    ['subject:Patient', () => patient, () => [ofPatient]],
    ['subject', () => `Location/${location}`, () => [ofLocation]],
    ['patient', () => patient, () => [ofPatient]],
    ['subject.name', () => family, () => [ofPatient]],
    ['subject:Patient.telecom', () => `phone|555-${tag}`, () => [ofPatient]],
    ['subject:missing', () => 'false', () => [ofPatient, ofLocation].sort()],
  ])('orders: %s', async (param, value, expected) => {
    expect((await orders(`${param}=${encodeURIComponent(value())}`)).sort()).toEqual(expected());
  });

  test.each([
    ['telecom', `phone|555-${tag}`],
    ['telecom', `email|${tag}@example.org`],
    ['telecom', `555-${tag}`],
    ['telecom', `556-${tag}`],
    ['phone', `555-${tag}`],
    ['email', `${tag}@example.org`],
  ])('Patient: %s=%s matches', async (param, value) => {
    expect(await ids('Patient', `identifier=urn:narrow|${tag}&${param}=${encodeURIComponent(value)}`)).toEqual([patient]);
  });

  test('Patient: phone does not read fax or email rows', async () => {
    expect(await ids('Patient', `identifier=urn:narrow|${tag}&phone=556-${tag}`)).toEqual([]);
    expect(await ids('Patient', `identifier=urn:narrow|${tag}&phone=${tag}@example.org`)).toEqual([]);
  });

  test('_include and _revinclude follow the references kept under the narrow parameter', async () => {
    const included = await t.http.get(`${FHIR_BASE}/ServiceRequest?identifier=urn:narrow|${tag}&_include=ServiceRequest:subject`);
    const entries = included.body.entry as { resource: { resourceType: string; id: string }; search: { mode: string } }[];
    expect(
      entries
        .filter((e) => e.search.mode === 'include')
        .map((e) => `${e.resource.resourceType}/${e.resource.id}`)
        .sort(),
    ).toEqual([`Location/${location}`, `Patient/${patient}`].sort());
    const revIncluded = await t.http.get(`${FHIR_BASE}/Patient?_id=${patient}&_revinclude=ServiceRequest:subject`);
    expect((revIncluded.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id).sort()).toEqual([patient, ofPatient].sort());
  });

  test('rows written before (the wide parameter holding them too) change no answer', async () => {
    await t.knex('search_reference').insert({
      tenant_id: t.tenantId,
      resource_type: 'ServiceRequest',
      resource_id: ofPatient,
      code: 'subject',
      reference: `Patient/${patient}`,
      target_type: 'Patient',
      target_id: patient,
    });
    const res = await t.http.get(`${FHIR_BASE}/ServiceRequest?subject=Patient/${patient}&_include=ServiceRequest:subject&_total=accurate`);
    expect(res.body.total).toBe(1);
    expect((res.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id).sort()).toEqual([ofPatient, patient].sort());
  });
});
