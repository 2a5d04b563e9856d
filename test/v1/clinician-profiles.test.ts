import { randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { EXT, SYSTEM } from '../../mappings/fhir-urls';
import { toFhir as physicianToFhir } from '../../mappings/physicians';
import errorSchema from '../../mappings/schemas/clinician-profiles.error.json';
import listSchema from '../../mappings/schemas/clinician-profiles.list.json';
import singleSchema from '../../mappings/schemas/clinician-profiles.single.json';
import { planOf, statementsDuring } from '../helpers/statements';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

const PROFILES = '/v1/clinician-profiles';
const ajv = addFormats(new Ajv({ strict: false }));
const isList = ajv.compile(listSchema);
const isSingle = ajv.compile(singleSchema);
const isError = ajv.compile(errorSchema);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface ClinicianSpec {
  given?: string;
  family?: string;
  displayName?: string;
  email?: string;
  active?: boolean;
  bookable?: boolean;
}

/** A directory Practitioner written through plain FHIR, as a FHIR client would. */
async function newClinician(spec: ClinicianSpec = {}, app: TestApp = t): Promise<string> {
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    ...(spec.active === undefined ? {} : { active: spec.active }),
    name: [{ use: 'official', prefix: ['Dr'], given: [spec.given ?? 'Sarah'], family: spec.family ?? `Johnson${randomUUID().slice(0, 6)}` }],
    ...(spec.email ? { telecom: [{ system: 'email', value: spec.email }] } : {}),
    extension: [
      ...(spec.displayName ? [{ url: EXT.displayName, valueString: spec.displayName }] : []),
      ...(spec.bookable === undefined ? [] : [{ url: EXT.bookableOnline, valueBoolean: spec.bookable }]),
    ],
  };
  if (practitioner.extension?.length === 0) delete practitioner.extension;
  const res = await app.http.post(`${FHIR_BASE}/Practitioner`).set('content-type', 'application/fhir+json').send(practitioner);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function newRole(practitionerId: string, extra: Partial<PractitionerRole> = {}): Promise<string> {
  const role: PractitionerRole = { resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${practitionerId}` }, ...extra };
  const res = await t.http.post(`${FHIR_BASE}/PractitionerRole`).set('content-type', 'application/fhir+json').send(role);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function newLocation(): Promise<string> {
  const res = await t.http
    .post(`${FHIR_BASE}/Location`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Location', name: `Site ${randomUUID()}` });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function list(query: Record<string, string | number | boolean>, app: TestApp = t) {
  const res = await app.http.get(PROFILES).query(query);
  expect(res.status).toBe(200);
  expect(isList(res.body)).toBe(true);
  return res.body as { data: { id: string; role: string | null }[]; meta: { limit: number; has_more: boolean; next_offset: number | null } };
}

async function listIds(query: Record<string, string | number | boolean>): Promise<string[]> {
  return (await list({ limit: 100, ...query })).data.map((p) => p.id);
}

function expectError(res: { status: number; body: unknown }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(isError(res.body)).toBe(true);
  expect((res.body as { error: { code: string } }).error.code).toBe(code);
}

describe('GET /v1/clinician-profiles/{id}', () => {
  test('a Practitioner and its PractitionerRole written through FHIR are a clinician profile', async () => {
    const practitioner = {
      resourceType: 'Practitioner',
      active: true,
      name: [{ use: 'official', text: 'Dr Sarah Johnson', prefix: ['Dr'], given: ['Sarah'], family: 'Johnson' }],
      telecom: [{ system: 'email', value: 'sarah.johnson@example.nhs.uk' }],
      photo: [{ contentType: 'image/jpeg', url: 'https://example.com/photos/sarah-johnson.jpg' }],
      identifier: [{ system: SYSTEM.registrationNumber, value: '7654321', assigner: { display: 'GMC' } }],
      qualification: [{ code: { text: 'MBBS' } }, { code: { text: 'MRCGP' } }],
      extension: [
        { url: EXT.displayName, valueString: 'Dr S. Johnson' },
        { url: EXT.bio, valueMarkdown: 'Fifteen years in general practice.' },
        { url: EXT.bookableOnline, valueBoolean: true },
      ],
    };
    const created = await t.http.post(`${FHIR_BASE}/Practitioner`).set('content-type', 'application/fhir+json').send(practitioner);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await newRole(id, { active: false, code: [{ text: 'Salaried GP' }] });
    await newRole(id, { code: [{ text: 'GP Partner', coding: [{ system: SYSTEM.hl7PractitionerRole, code: 'doctor' }] }] });

    const res = await t.http.get(`${PROFILES}/${id}`).set('x-request-id', 'req_profile_1');
    expect(res.status).toBe(200);
    expect(isSingle(res.body)).toBe(true);
    expect(res.body).toEqual({
      data: {
        id,
        name: 'Dr Sarah Johnson',
        display_name: 'Dr S. Johnson',
        first_name: 'Sarah',
        last_name: 'Johnson',
        title: 'Dr',
        role: 'GP Partner',
        email: 'sarah.johnson@example.nhs.uk',
        bio: 'Fifteen years in general practice.',
        photo_url: 'https://example.com/photos/sarah-johnson.jpg',
        qualifications: 'MBBS, MRCGP',
        registration_number: '7654321',
        professional_registration_body: 'GMC',
        is_active: true,
        is_bookable_online: true,
        created_at: created.body.meta.lastUpdated,
        updated_at: created.body.meta.lastUpdated,
      },
      meta: { request_id: 'req_profile_1' },
    });
  });

  test('is also served under /api-v1', async () => {
    const id = await newClinician();
    const v1 = await t.http.get(`${PROFILES}/${id}`);
    const apiV1 = await t.http.get(`/api-v1/clinician-profiles/${id}`);
    expect(apiV1.status).toBe(200);
    expect(apiV1.body.data).toEqual(v1.body.data);
  });

  test('a physician registered as /v1/physicians builds shows its name split into title, first and last', async () => {
    const practitioner = physicianToFhir({
      name: 'Dr. Ana de la Cruz MD',
      email: 'ana@example.com',
      npi: '1234567893',
      license_state: 'CA',
      state_license: `A${Date.now()}`,
    });
    const created = await t.http.post(`${FHIR_BASE}/Practitioner`).set('content-type', 'application/fhir+json').send(practitioner);
    expect(created.status).toBe(201);
    const res = await t.http.get(`${PROFILES}/${created.body.id}`);
    expect(res.body.data).toMatchObject({
      name: 'Dr. Ana de la Cruz MD',
      title: 'Dr.',
      first_name: 'Ana',
      last_name: 'de la Cruz',
      email: 'ana@example.com',
      is_active: true,
      is_bookable_online: false,
      role: null,
    });
  });

  test('a physician registered through POST /v1/physicians appears with title, first and last name', async () => {
    const registered = await t.http
      .post('/v1/physicians')
      .send({ name: 'Dr Sarah Johnson', email: `sarah.${Date.now()}@example.com`, npi: '1234567893', license_state: 'NY', state_license: `L${Date.now()}` });
    expect(registered.status).toBe(201);
    const res = await t.http.get(`${PROFILES}/${registered.body.id}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: registered.body.id, name: 'Dr Sarah Johnson', title: 'Dr', first_name: 'Sarah', last_name: 'Johnson' });
  });

  test("404 for an unknown, malformed, deleted or other organisation's id", async () => {
    expectError(await t.http.get(`${PROFILES}/${randomUUID()}`), 404, 'not_found');
    expectError(await t.http.get(`${PROFILES}/not-a-uuid'%20OR%201=1`), 404, 'not_found');
    const deleted = await newClinician();
    await t.http.delete(`${FHIR_BASE}/Practitioner/${deleted}`);
    expectError(await t.http.get(`${PROFILES}/${deleted}`), 404, 'not_found');
    const other = await t.otherTenant();
    const foreign = await newClinician({}, other);
    expect((await other.http.get(`${PROFILES}/${foreign}`)).status).toBe(200);
    expectError(await t.http.get(`${PROFILES}/${foreign}`), 404, 'not_found');
    expectError(await t.http.get(`/api-v1/clinician-profiles/${foreign}`), 404, 'not_found');
  });

  test('unknown routes under the prefix answer 404 in the family shape', async () => {
    expectError(await t.http.get(`${PROFILES}/a/b`), 404, 'not_found');
    expectError(await t.http.post(PROFILES).send({}), 404, 'not_found');
  });
});

describe('GET /v1/clinician-profiles', () => {
  test('defaults to 20 per page and answers the documented shape', async () => {
    await newClinician();
    const page = await list({});
    expect(page.meta.limit).toBe(20);
    expect(page.data.length).toBeGreaterThan(0);
  });

  test('is_active filters on Practitioner.active (absent counts as active)', async () => {
    const family = `Active${randomUUID().slice(0, 6)}`;
    const [on, off, unset] = [await newClinician({ family, active: true }), await newClinician({ family, active: false }), await newClinician({ family })];
    expect(await listIds({ search: family, is_active: true })).toEqual([on, unset]);
    expect(await listIds({ search: family, is_active: false })).toEqual([off]);
    expect(await listIds({ search: family })).toEqual([on, off, unset]);
  });

  test('is_bookable_online filters on the bookable-online extension (absent counts as not bookable)', async () => {
    const family = `Bookable${randomUUID().slice(0, 6)}`;
    const [yes, no, unset] = [await newClinician({ family, bookable: true }), await newClinician({ family, bookable: false }), await newClinician({ family })];
    expect(await listIds({ search: family, is_bookable_online: true })).toEqual([yes]);
    expect(await listIds({ search: family, is_bookable_online: false })).toEqual([no, unset]);
  });

  test('location_id keeps practitioners with an active role at that location', async () => {
    const location = await newLocation();
    const [atV1Role, atFhirRole, inactiveRole, elsewhere] = [await newClinician(), await newClinician(), await newClinician(), await newClinician()];
    const v1Role = await t.http.post('/v1/practitioner-roles').send({ practitionerId: atV1Role, role: 'doctor', locationName: `Clinic ${randomUUID()}` });
    expect(v1Role.status).toBe(201);
    const fhirRole = (await t.http.get(`${FHIR_BASE}/PractitionerRole/${v1Role.body.data.id}`)).body as PractitionerRole;
    const v1Location = fhirRole.location?.[0]?.reference?.split('/')[1] ?? '';
    expect(await listIds({ location_id: v1Location })).toEqual([atV1Role]);

    await newRole(atFhirRole, { location: [{ reference: `Location/${location}` }] });
    await newRole(inactiveRole, { active: false, location: [{ reference: `Location/${location}` }] });
    await newRole(elsewhere, { location: [{ reference: `Location/${await newLocation()}` }] });
    expect(await listIds({ location_id: location })).toEqual([atFhirRole]);
    expect(await listIds({ location_id: randomUUID() })).toEqual([]);
  });

  test('search matches parts of names, display names and emails, case- and accent-insensitively', async () => {
    const tag = randomUUID().slice(0, 8);
    const byName = await newClinician({ given: 'José', family: `Quintana${tag}` });
    const byDisplay = await newClinician({ displayName: `Doc Marlowe${tag}` });
    const byEmail = await newClinician({ email: `Reception.${tag}@Clinic.example` });
    expect(await listIds({ search: `QUINTANA${tag}` })).toEqual([byName]);
    expect(await listIds({ search: `jose quintana${tag}` })).toEqual([byName]);
    expect(await listIds({ search: `marlowe${tag}` })).toEqual([byDisplay]);
    expect(await listIds({ search: `reception.${tag}@clinic` })).toEqual([byEmail]);
    expect(await listIds({ search: tag })).toEqual([byName, byDisplay, byEmail]);
    expect(await listIds({ search: `${tag} nobody-has-this-word` })).toEqual([]);
  });

  test('a search word is looked up in names and display names by one probe of the string index', async () => {
    const tag = randomUUID().slice(0, 8);
    const byName = await newClinician({ family: `Probe${tag}` });
    const byDisplay = await newClinician({ displayName: `Dr Probe${tag}` });
    const probesOfStrings = (sql: string): number => sql.match(/\bsearch_string\b/g)?.length ?? 0;
    const pages = await statementsDuring(
      t,
      (sql) => probesOfStrings(sql) > 0,
      async () => expect(await listIds({ search: `probe${tag}` })).toEqual([byName, byDisplay]),
    );
    expect(pages.map((page) => probesOfStrings(page.sql))).toEqual([1]);
  });

  test('a one-letter word in a small directory is walked, its Practitioners not probed one by one', async () => {
    const fresh = await t.otherTenant();
    const okafor = await newClinician({ family: 'Okafor' }, fresh);
    await newClinician({ family: 'Smith' }, fresh);
    const okoye = await newClinician({ family: 'Okoye' }, fresh);
    const pages = await statementsDuring(
      fresh,
      (sql) => /\bsearch_string\b/.test(sql),
      async () => expect((await list({ search: 'k' }, fresh)).data.map((p) => p.id)).toEqual([okafor, okoye]),
    );
    // Over tables this small the planner may probe each Practitioner's rows through an index of
    // every row of the type: the statement that would probe them runs none of its probes.
    const probed = pages.find((page) => page.sql.includes('OFFSET 0'));
    expect(probed).toBeDefined();
    const indexReads = (await planOf(fresh, probed!, [], { analyze: true })).filter((line) => /\bon search_(string|token)\b/.test(line));
    expect(indexReads.length).toBeGreaterThan(0);
    for (const line of indexReads) expect(line).toContain('never executed');
  });

  test("each listed profile's role is its oldest active role: inactive ones skipped, one without `active` counted", async () => {
    const family = `Roles${randomUUID().slice(0, 6)}`;
    const [first, second, third] = [await newClinician({ family }), await newClinician({ family }), await newClinician({ family })];
    const role = (text: string) => ({ code: [{ text }] });
    await newRole(first, { active: false, ...role('Retired GP') });
    const locum = await newRole(first, role('Locum'));
    await newRole(first, role('Partner'));
    await newRole(second, { active: undefined, ...role('Registrar') });
    await newRole(second, role('Trainer'));
    await newRole(third, { active: false, ...role('Former nurse') });
    // An update keeps a role's place: the order is the roles' creation.
    const updated = await t.http
      .put(`${FHIR_BASE}/PractitionerRole/${locum}`)
      .set('content-type', 'application/fhir+json')
      .send({ resourceType: 'PractitionerRole', id: locum, active: true, practitioner: { reference: `Practitioner/${first}` }, ...role('Locum GP') });
    expect(updated.status).toBe(200);

    const roles = (await list({ search: family, limit: 100 })).data.map((p) => [p.id, p.role]);
    expect(roles).toEqual([
      [first, 'Locum GP'],
      [second, 'Registrar'],
      [third, null],
    ]);
    expect((await t.http.get(`${PROFILES}/${second}`)).body.data.role).toBe('Registrar');
  });

  test('search treats LIKE wildcards and quotes as plain text', async () => {
    await newClinician();
    expect(await listIds({ search: '%' })).toEqual([]);
    expect(await listIds({ search: '_' })).toEqual([]);
    expect(await listIds({ search: "' OR 1=1 --" })).toEqual([]);
  });

  test('the display-name and bookable-online SearchParameters work in FHIR search too', async () => {
    const tag = randomUUID().slice(0, 8);
    const bookable = await newClinician({ displayName: `Dr Fhir${tag}`, bookable: true });
    await newClinician({ displayName: `Dr Fhir${tag}`, bookable: false });
    const res = await t.http.get(`${FHIR_BASE}/Practitioner`).query({ 'display-name': `dr fhir${tag}`, 'bookable-online': 'true' });
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([bookable]);
  });

  test('filters combine', async () => {
    const family = `Combo${randomUUID().slice(0, 6)}`;
    const match = await newClinician({ family, active: true, bookable: true });
    await newClinician({ family, active: false, bookable: true });
    await newClinician({ family, active: true, bookable: false });
    expect(await listIds({ search: family, is_active: true, is_bookable_online: true })).toEqual([match]);
  });

  test('pagination walks every profile exactly once, in a stable order', async () => {
    const fresh = await t.otherTenant();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push(await newClinician({ family: `Page${i}` }, fresh));
    const seen: string[] = [];
    const offsets: (number | null)[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page = await list({ limit: 3, offset }, fresh);
      expect(page.data.length).toBeLessThanOrEqual(3);
      expect(page.meta.has_more).toBe(page.meta.next_offset !== null);
      seen.push(...page.data.map((p) => p.id));
      offset = page.meta.next_offset;
      offsets.push(offset);
    }
    expect(offsets).toEqual([3, 6, null]);
    expect(seen).toEqual(created);
    const exact = await list({ limit: 7 }, fresh);
    expect(exact.meta).toMatchObject({ has_more: false, next_offset: null });
    expect((await list({ limit: 5, offset: 7 }, fresh)).data).toEqual([]);
  });

  test.each([
    ['limit is 0', { limit: '0' }],
    ['limit is over 100', { limit: '101' }],
    ['limit is not a number', { limit: 'ten' }],
    ['limit is fractional', { limit: '2.5' }],
    ['offset is negative', { offset: '-1' }],
    ['offset is beyond any integer', { offset: '99999999999999999999999' }],
    ['is_active is not a boolean', { is_active: 'yes' }],
    ['is_bookable_online is not a boolean', { is_bookable_online: '1' }],
    ['location_id is not a uuid', { location_id: 'abc' }],
    ['search is too long', { search: 'x'.repeat(201) }],
    ['search has too many words', { search: 'a b c d e f g h i j k' }],
    ['the parameter is unknown', { sort: 'name' }],
    ['a parameter repeats', { limit: ['1', '2'] }],
  ])('400 naming the parameter when %s', async (_case, query) => {
    const res = await t.http.get(PROFILES).query(query);
    expectError(res, 400, 'invalid_parameter');
    expect(res.body.error.message).toContain(Object.keys(query)[0]);
  });
});
