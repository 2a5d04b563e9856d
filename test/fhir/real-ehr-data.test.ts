import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { SYNTHEA_TYPES, asSent, synthea, total } from '../helpers/synthea';

/*
 * The shared Synthea set as an EHR partner sends it: every resource claims a US Core profile
 * this server does not know, and PractitionerRoles reference practitioners, organizations and
 * locations by identifier only.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const FHIR_JSON = 'application/fhir+json';
const NPI = 'http://hl7.org/fhir/sid/us-npi';

describe('loaded unmodified with PUT', () => {
  beforeAll(async () => {
    for (const resource of synthea()) {
      const res = await t.http.put(`${FHIR_BASE}/${resource.resourceType}/${resource.id}`).set('content-type', FHIR_JSON).send(resource);
      expect(res.status).toBe(201);
    }
  });

  test('every resource reads back as sent, its US Core claim kept', async () => {
    for (const resource of synthea()) {
      const read = await t.http.get(`${FHIR_BASE}/${resource.resourceType}/${resource.id}`);
      expect(asSent(read.body)).toEqual(resource);
    }
  });

  test('the unknown profile is a warning in the OperationOutcome, naming meta.profile', async () => {
    const [patient] = synthea('Patient');
    const res = await t.http.put(`${FHIR_BASE}/Patient/${patient?.id}`).set('prefer', 'return=OperationOutcome').set('content-type', FHIR_JSON).send(patient);
    expect(res.status).toBe(200);
    expect(res.body.issue).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'not-supported', expression: ['Patient.meta.profile[0]'] }));
    const validated = await t.http.post(`${FHIR_BASE}/Patient/$validate`).set('content-type', FHIR_JSON).send(patient);
    expect(validated.status).toBe(200);
    expect(validated.body.issue.map((i: { severity: string }) => i.severity)).toEqual(['information', 'warning']);
  });

  test('search counts match the data', async () => {
    for (const type of SYNTHEA_TYPES) expect(await total(t, type)).toBe(synthea(type).length);
    const female = synthea('Patient').filter((p) => (p as { gender?: string }).gender === 'female').length;
    expect(await total(t, 'Patient?gender=female')).toBe(female);
    const kansas = synthea('Organization').filter((o) => (o as { address?: { state?: string }[] }).address?.some((a) => a.state === 'KS')).length;
    expect(await total(t, 'Organization?address-state=KS')).toBe(kansas);
  });

  test('practitioner:identifier finds the roles that reference a practitioner by NPI only', async () => {
    const roles = synthea('PractitionerRole') as { practitioner?: { identifier?: { value?: string } } }[];
    const npi = roles[0]?.practitioner?.identifier?.value ?? '';
    const expected = roles.filter((r) => r.practitioner?.identifier?.value === npi).length;
    expect(await total(t, `PractitionerRole?practitioner:identifier=${NPI}|${npi}`)).toBe(expected);
    expect(await total(t, `PractitionerRole?practitioner:identifier=${npi}`)).toBe(expected);
    expect(await total(t, `PractitionerRole?practitioner:identifier=${NPI}|0000000000`)).toBe(0);
  });

  test('logical references resolve to the stored resource: plain, chained, _include and _revinclude', async () => {
    const practitioners = synthea('Practitioner') as { id: string; identifier: { value: string }[]; name: { family: string }[] }[];
    const roles = synthea('PractitionerRole') as { id: string; practitioner: { identifier: { value: string } } }[];
    const role = roles[0];
    const practitioner = practitioners.find((p) => p.identifier.some((i) => i.value === role?.practitioner.identifier.value));
    expect(practitioner).toBeDefined();
    const rolesOf = roles
      .filter((r) => r.practitioner.identifier.value === role?.practitioner.identifier.value)
      .map((r) => r.id)
      .sort();

    const direct = await t.http.get(`${FHIR_BASE}/PractitionerRole?practitioner=Practitioner/${practitioner?.id}`);
    expect(direct.body.entry.map((e: BundleEntry) => e.resource?.id).sort()).toEqual(rolesOf);
    const chained = await t.http.get(`${FHIR_BASE}/PractitionerRole?practitioner.family=${practitioner?.name[0]?.family}`);
    expect(chained.body.entry.map((e: BundleEntry) => e.resource?.id).sort()).toEqual(rolesOf);

    const included = await t.http.get(`${FHIR_BASE}/PractitionerRole?_id=${role?.id}&_include=PractitionerRole:practitioner`);
    expect(included.body.entry.map((e: BundleEntry) => `${e.search?.mode}:${e.resource?.id}`)).toEqual([`match:${role?.id}`, `include:${practitioner?.id}`]);
    const revincluded = await t.http.get(`${FHIR_BASE}/Practitioner?_id=${practitioner?.id}&_revinclude=PractitionerRole:practitioner`);
    const includedRoles = revincluded.body.entry.filter((e: BundleEntry) => e.search?.mode === 'include').map((e: BundleEntry) => e.resource?.id);
    expect(includedRoles.sort()).toEqual(rolesOf);
  });
});

describe('a reference written before its target', () => {
  test('resolves when the practitioner holding the identifier is written later', async () => {
    const npi = `99${Date.now() % 100_000_000}`;
    const role = await t.http.post(`${FHIR_BASE}/PractitionerRole`).send({
      resourceType: 'PractitionerRole',
      practitioner: { identifier: { system: NPI, value: npi } },
    });
    expect(role.status).toBe(201);
    const practitioner = await t.http.post(`${FHIR_BASE}/Practitioner`).send({ resourceType: 'Practitioner', identifier: [{ system: NPI, value: npi }] });
    const found = await t.http.get(`${FHIR_BASE}/PractitionerRole?practitioner=${practitioner.body.id}`);
    expect(found.body.entry.map((e: BundleEntry) => e.resource?.id)).toEqual([role.body.id]);
  });

  test('stays unresolved while two practitioners hold the identifier, whichever is written next', async () => {
    const npi = `98${Date.now() % 100_000_000}`;
    const holder = { resourceType: 'Practitioner', identifier: [{ system: NPI, value: npi }] };
    const first = await t.http.post(`${FHIR_BASE}/Practitioner`).send(holder);
    const second = await t.http.post(`${FHIR_BASE}/Practitioner`).send(holder);
    const role = await t.http
      .post(`${FHIR_BASE}/PractitionerRole`)
      .send({ resourceType: 'PractitionerRole', practitioner: { identifier: { system: NPI, value: npi } } });
    await t.http.put(`${FHIR_BASE}/Practitioner/${first.body.id}`).send({ ...holder, id: first.body.id, active: true });
    for (const practitioner of [first, second]) {
      expect(await total(t, `PractitionerRole?practitioner=${practitioner.body.id}`)).toBe(0);
    }
    expect(await total(t, `PractitionerRole?practitioner:identifier=${NPI}|${npi}`)).toBe(1);
    expect(role.status).toBe(201);
  });
});

describe('logical references within one transaction', () => {
  const practitioner = (npi: string, fullUrl: string): BundleEntry => ({
    fullUrl,
    resource: { resourceType: 'Practitioner', identifier: [{ system: NPI, value: npi }] },
    request: { method: 'POST', url: 'Practitioner' },
  });
  const role = (npi: string): BundleEntry => ({
    resource: { resourceType: 'PractitionerRole', practitioner: { identifier: { system: NPI, value: npi } } },
    request: { method: 'POST', url: 'PractitionerRole' },
  });
  const transaction = async (...entry: BundleEntry[]): Promise<string[]> => {
    const res = await t.http.post(FHIR_BASE).set('content-type', FHIR_JSON).send({ resourceType: 'Bundle', type: 'transaction', entry });
    expect(res.status).toBe(200);
    return res.body.entry.map((e: BundleEntry) => e.response?.location?.split('/')[1]);
  };

  test('a role resolves to the practitioner written beside it', async () => {
    const npi = `97${Date.now() % 100_000_000}`;
    const [practitionerId, roleId] = await transaction(role(npi), practitioner(npi, 'urn:uuid:5d1c1a52-7a4e-4f0e-9d7e-2f6f0a1b0001')).then(([r, p]) => [p, r]);
    const found = await t.http.get(`${FHIR_BASE}/PractitionerRole?practitioner=Practitioner/${practitionerId}`);
    expect(found.body.entry.map((e: BundleEntry) => e.resource?.id)).toEqual([roleId]);
  });

  test('two practitioners written together with one identifier leave a role beside them unresolved', async () => {
    const npi = `96${Date.now() % 100_000_000}`;
    const [first, second] = await transaction(
      practitioner(npi, 'urn:uuid:5d1c1a52-7a4e-4f0e-9d7e-2f6f0a1b0002'),
      practitioner(npi, 'urn:uuid:5d1c1a52-7a4e-4f0e-9d7e-2f6f0a1b0003'),
      role(npi),
    );
    for (const id of [first, second]) expect(await total(t, `PractitionerRole?practitioner=${id}`)).toBe(0);
    expect(await total(t, `PractitionerRole?practitioner:identifier=${NPI}|${npi}`)).toBe(1);
  });

  test('two practitioners written together with one identifier leave an earlier role unresolved', async () => {
    const npi = `95${Date.now() % 100_000_000}`;
    await transaction(role(npi));
    const [first, second] = await transaction(
      practitioner(npi, 'urn:uuid:5d1c1a52-7a4e-4f0e-9d7e-2f6f0a1b0004'),
      practitioner(npi, 'urn:uuid:5d1c1a52-7a4e-4f0e-9d7e-2f6f0a1b0005'),
    );
    for (const id of [first, second]) expect(await total(t, `PractitionerRole?practitioner=${id}`)).toBe(0);
  });
});

describe('bundles as senders send them', () => {
  test('the whole set in one transaction, into another tenant: every entry 201, every resource there', async () => {
    const other = await t.otherTenant();
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: synthea().map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
    };
    const res = await other.http.post(FHIR_BASE).set('content-type', FHIR_JSON).send(bundle);
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: BundleEntry) => e.response?.status)).toEqual(synthea().map(() => '201 Created'));
    for (const type of SYNTHEA_TYPES) expect(await total(other, type)).toBe(synthea(type).length);
  });

  test('the whole set in one batch, into another tenant: every entry 201, every resource reads back as sent', async () => {
    const other = await t.otherTenant();
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: synthea().map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
    };
    const res = await other.http.post(FHIR_BASE).set('content-type', FHIR_JSON).send(bundle);
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: BundleEntry) => e.response?.status)).toEqual(synthea().map(() => '201 Created'));
    for (const resource of synthea()) {
      expect(asSent((await other.http.get(`${FHIR_BASE}/${resource.resourceType}/${resource.id}`)).body)).toEqual(resource);
    }
    for (const type of SYNTHEA_TYPES) expect(await total(other, type)).toBe(synthea(type).length);
  });

  test('a batch answers each entry: stored, unsupported type and invalid resource side by side', async () => {
    const [patient, practitioner] = [synthea('Patient')[1], synthea('Practitioner')[1]];
    const bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: patient, request: { method: 'PUT', url: `Patient/${patient?.id}` } },
        { resource: { resourceType: 'Encounter', status: 'finished' }, request: { method: 'POST', url: 'Encounter' } },
        { resource: { resourceType: 'Patient', gender: 'sometimes' }, request: { method: 'POST', url: 'Patient' } },
        { resource: practitioner, request: { method: 'PUT', url: `Practitioner/${practitioner?.id}` } },
      ],
    };
    const res = await t.http.post(FHIR_BASE).set('content-type', FHIR_JSON).send(bundle);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('batch-response');
    expect(res.body.entry.map((e: BundleEntry) => e.response?.status.slice(0, 3))).toEqual(['200', '400', '422', '200']);
    expect(res.body.entry[1].response.outcome.issue[0].expression).toEqual(['Bundle.entry[1].request.url']);
    expect(res.body.entry[2].response.outcome.issue[0].expression).toEqual(['Patient.gender']);
  });

  test('a transaction with an unsupported entry is refused whole, naming the entry', async () => {
    const [patient] = synthea('Patient');
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { ...patient, id: 'never-stored' }, request: { method: 'PUT', url: 'Patient/never-stored' } },
        { resource: { resourceType: 'Encounter', status: 'finished' }, request: { method: 'POST', url: 'Encounter' } },
      ],
    };
    const res = await t.http.post(FHIR_BASE).set('content-type', FHIR_JSON).send(bundle);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['Bundle.entry[1].request.url']);
    expect((await t.http.get(`${FHIR_BASE}/Patient/never-stored`)).status).toBe(404);
  });

  test('a Bundle of a few megabytes is taken under its own limit; a single resource that size is a 413', async () => {
    const note = 'x'.repeat(10_000);
    const entry = Array.from({ length: 300 }, (_, i) => ({
      resource: { resourceType: 'Patient', name: [{ family: `Bulk${i}`, text: note }] },
      request: { method: 'POST', url: 'Patient' },
    }));
    const bundle = JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry });
    expect(bundle.length).toBeGreaterThan(3_000_000);
    const res = await t.http.post(FHIR_BASE).set('content-type', FHIR_JSON).send(bundle);
    expect(res.status).toBe(200);
    expect(res.body.entry).toHaveLength(300);
    const single = await t.http
      .post(`${FHIR_BASE}/Patient`)
      .set('content-type', FHIR_JSON)
      .send({ resourceType: 'Patient', name: [{ text: 'y'.repeat(2_000_000) }] });
    expect(single.status).toBe(413);
  });
});

describe('what the HL7 validator test cases check', () => {
  test.each(['foobar==', 'x'.repeat(90), 'bad-id_1'])('an invalid id (%s) is refused by $validate as by PUT', async (id) => {
    const validated = await t.http.post(`${FHIR_BASE}/Patient/$validate`).send({ resourceType: 'Patient', id });
    expect(validated.status).toBe(422);
    expect(validated.body.issue[0].expression).toEqual(['Patient.id']);
    const put = await t.http.put(`${FHIR_BASE}/Patient/${encodeURIComponent(id)}`).send({ resourceType: 'Patient', id });
    expect(put.status).toBe(400);
  });

  test('a contained resource with an invalid id is refused', async () => {
    const res = await t.http.post(`${FHIR_BASE}/Patient`).send({
      resourceType: 'Patient',
      contained: [{ resourceType: 'Organization', id: 'org_1', name: 'Contained' }],
      managingOrganization: { reference: '#org_1' },
    });
    expect(res.status).toBe(422);
    expect(res.body.issue[0].expression).toEqual(['Patient.contained[0].id']);
  });

  test('a repeated member name is a 400 naming it, in FHIR and /v1 bodies', async () => {
    const fhir = await t.http
      .post(`${FHIR_BASE}/Patient`)
      .set('content-type', FHIR_JSON)
      .send('{"resourceType":"Patient","name":[{"family":"A","family":"B"}]}');
    expect(fhir.status).toBe(400);
    expect(fhir.body.issue[0].expression).toEqual(['Patient.name[0].family']);
    const v1 = await t.http
      .post('/v1/patients')
      .set('content-type', 'application/json')
      .send('{"brand_id":"b","first_name":"A","last_name":"B","last_name":"C"}');
    expect(v1.status).toBe(400);
    expect(v1.body.message).toContain('last_name');
  });

  test('the legacy application/json+fhir content type is FHIR JSON', async () => {
    const res = await t.http
      .post(`${FHIR_BASE}/Patient`)
      .set('content-type', 'application/json+fhir')
      .send(JSON.stringify({ resourceType: 'Patient' }));
    expect(res.status).toBe(201);
  });
});

test('the CapabilityStatement lists _include and _revinclude values and the modifiers of each parameter', async () => {
  const res = await t.anonymous.get(`${FHIR_BASE}/metadata`);
  const role = res.body.rest[0].resource.find((r: { type: string }) => r.type === 'PractitionerRole');
  expect(role.searchInclude).toEqual(expect.arrayContaining(['PractitionerRole:practitioner', 'PractitionerRole:organization', 'PractitionerRole:*']));
  const practitioner = res.body.rest[0].resource.find((r: { type: string }) => r.type === 'Practitioner');
  expect(practitioner.searchRevInclude).toEqual(expect.arrayContaining(['PractitionerRole:practitioner', 'ServiceRequest:requester']));
  const param = role.searchParam.find((p: { name: string }) => p.name === 'practitioner');
  expect(param.documentation).toBe('Modifiers: :missing, :identifier, :Practitioner');
});
