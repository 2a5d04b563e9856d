import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { physicianBody } from '../v1/physicians-fixtures';

/**
 * Tenant A probes everything tenant B has, through every endpoint family: it can neither
 * see, change, reference nor infer it, and B's business keys do not collide with A's.
 */
let a: TestApp;
let b: TestApp;
const u = randomUUID().slice(0, 8);
const theirs: Record<string, string> = {};

beforeAll(async () => {
  a = await startTestApp();
  b = await a.otherTenant();
  const post = async (type: string, body: object) =>
    (
      await b.http
        .post(`${FHIR_BASE}/${type}`)
        .send({ resourceType: type, ...body })
        .expect(201)
    ).body.id as string;
  theirs.Organization = await post('Organization', { name: `Org${u}` });
  theirs.Location = await post('Location', { name: `Loc${u}` });
  theirs.Patient = await post('Patient', {
    name: [{ family: `Iso${u}` }],
    identifier: [{ system: 'urn:mrn', value: u }],
    managingOrganization: { reference: `Organization/${theirs.Organization}` },
  });
  theirs.Practitioner = (
    await b.http
      .post('/v1/physicians')
      .send(physicianBody({ name: `Dr Iso ${u}` }))
      .expect(201)
  ).body.id;
  theirs.PractitionerRole = await post('PractitionerRole', {
    practitioner: { reference: `Practitioner/${theirs.Practitioner}` },
    location: [{ reference: `Location/${theirs.Location}` }],
  });
  theirs.ServiceRequest = await post('ServiceRequest', { status: 'active', intent: 'order', subject: { reference: `Patient/${theirs.Patient}` } });
  await b.http
    .put(`${FHIR_BASE}/Patient/${theirs.Patient}`)
    .send({ resourceType: 'Patient', id: theirs.Patient, name: [{ family: `Iso${u}` }] })
    .expect(200);
});
afterAll(() => a.close());

/** What A gets for a resource id that exists nowhere. */
async function nowhere(path: string): Promise<{ status: number; body: unknown }> {
  const res = await a.http.get(path.replace(/[0-9a-f-]{36}/, randomUUID()));
  return { status: res.status, body: res.body };
}

describe('FHIR', () => {
  test.each(['Organization', 'Location', 'Patient', 'Practitioner', 'PractitionerRole', 'ServiceRequest'])(
    'read, vread and history of their %s answer exactly like an id that does not exist',
    async (type) => {
      for (const path of [`${FHIR_BASE}/${type}/${theirs[type]}`, `${FHIR_BASE}/${type}/${theirs[type]}/_history/1`]) {
        const res = await a.http.get(path);
        const missing = await nowhere(path);
        expect(res.status).toBe(404);
        expect(res.body.issue[0].code).toBe((missing.body as { issue: { code: string }[] }).issue[0]?.code);
      }
      const history = await a.http.get(`${FHIR_BASE}/${type}/${theirs[type]}/_history`).expect(200);
      expect(history.body.total).toBe(0);
    },
  );

  test('update, patch and delete cannot touch their resource', async () => {
    const id = theirs.Patient as string;
    await a.http.delete(`${FHIR_BASE}/Patient/${id}`).expect(404);
    await a.http
      .patch(`${FHIR_BASE}/Patient/${id}`)
      .set('content-type', 'application/json-patch+json')
      .send([{ op: 'add', path: '/active', value: false }])
      .expect(404);
    await a.http.put(`${FHIR_BASE}/Patient/${id}`).set('if-match', 'W/"2"').send({ resourceType: 'Patient', id, active: false }).expect(412);
    const still = await b.http.get(`${FHIR_BASE}/Patient/${id}`).expect(200);
    expect(still.body.meta.versionId).toBe('2');
    expect(still.body.active).toBeUndefined();
  });

  test('searches, chains, includes and history of the type see none of theirs', async () => {
    for (const query of [
      `Patient?family=Iso${u}`,
      `Patient?identifier=urn:mrn|${u}`,
      `Patient?_id=${theirs.Patient}`,
      `Patient?organization=${theirs.Organization}`,
      `Patient?organization.name=Org${u}`,
      `PractitionerRole?practitioner.name=Iso`,
      `PractitionerRole?location=${theirs.Location}`,
      `ServiceRequest?subject:Patient.family=Iso${u}`,
      `Practitioner?_has:PractitionerRole:practitioner:location=${theirs.Location}`,
    ]) {
      const res = await a.http.get(`${FHIR_BASE}/${query}`);
      if (res.status === 400) continue; // a parameter this server does not serve says nothing about data
      expect({ query, total: res.body.total, entries: res.body.entry ?? [] }).toEqual({ query, total: 0, entries: [] });
    }
    const includes = await a.http.get(`${FHIR_BASE}/Organization?_revinclude=Patient:organization&_include=Organization:partof`).expect(200);
    expect(JSON.stringify(includes.body)).not.toContain(theirs.Patient);
    const typeHistory = await a.http.get(`${FHIR_BASE}/Patient/_history?_count=1000`).expect(200);
    expect(JSON.stringify(typeHistory.body)).not.toContain(theirs.Patient);
  });

  test('paging links carry no other tenant data and stay within the tenant', async () => {
    const page = await a.http.get(`${FHIR_BASE}/Practitioner?_count=1`).expect(200);
    for (const link of page.body.link as { url: string }[]) {
      const next = await a.http.get(new URL(link.url).pathname + new URL(link.url).search).expect(200);
      expect(JSON.stringify(next.body)).not.toContain(theirs.Practitioner);
    }
  });

  test('conditional create and update criteria match only the tenant’s own resources', async () => {
    const created = await a.http
      .post(`${FHIR_BASE}/Patient`)
      .set('if-none-exist', `identifier=urn:mrn|${u}`)
      .send({ resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: u }] });
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe(theirs.Patient);
    const updated = await a.http.put(`${FHIR_BASE}/Organization?name:exact=Org${u}`).send({ resourceType: 'Organization', name: `Org${u}` });
    expect(updated.status).toBe(201);
    expect(updated.body.id).not.toBe(theirs.Organization);
  });

  test('a reference to their resource is refused on write, naming the element', async () => {
    const res = await a.http
      .post(`${FHIR_BASE}/Patient`)
      .send({ resourceType: 'Patient', managingOrganization: { reference: `Organization/${theirs.Organization}` } });
    expect(res.status).toBe(422);
    expect(res.body.issue[0].expression).toEqual(['Patient.managingOrganization.reference']);
    const bundle = await a.http.post(FHIR_BASE).send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${theirs.Patient}` } },
          request: { method: 'POST', url: 'ServiceRequest' },
        },
      ],
    });
    expect(bundle.status).toBe(422);
    const conditional = await a.http.post(FHIR_BASE).send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient?identifier=urn:mrn|${u}-none` } },
          request: { method: 'POST', url: 'ServiceRequest' },
        },
      ],
    });
    expect(conditional.status).toBe(412);
  });

  test('among references of several types, their one is refused; ours, our deleted one and one to nothing are not', async () => {
    const ours = async (type: string, body: object): Promise<string> =>
      (
        await a.http
          .post(`${FHIR_BASE}/${type}`)
          .send({ resourceType: type, ...body })
          .expect(201)
      ).body.id as string;
    const organization = await ours('Organization', { name: `Ours${u}` });
    const location = await ours('Location', { name: `Ours${u}` });
    await a.http.delete(`${FHIR_BASE}/Location/${location}`).expect(200);
    const role = (location: string) => ({
      resourceType: 'PractitionerRole',
      organization: { reference: `Organization/${organization}` },
      location: [{ reference: `Location/${location}` }, { reference: `Location/nowhere-${u}` }],
    });
    const refused = await a.http
      .post(`${FHIR_BASE}/PractitionerRole`)
      .send({ ...role(location), practitioner: { reference: `Practitioner/${theirs.Practitioner}` } });
    expect(refused.status).toBe(422);
    expect(refused.body.issue[0].expression).toEqual(['PractitionerRole.practitioner.reference']);
    const stored = await a.http.post(`${FHIR_BASE}/PractitionerRole`).send(role(location)).expect(201);
    const theirLocation = await a.http.put(`${FHIR_BASE}/PractitionerRole/${stored.body.id}`).send({ ...role(theirs.Location!), id: stored.body.id });
    expect(theirLocation.status).toBe(422);
    expect(theirLocation.body.issue[0].expression).toEqual(['PractitionerRole.location[0].reference']);
  });
});

describe('/v1', () => {
  test('each GET answers 404 for their ids, in its own shape', async () => {
    await a.http.get(`/v1/patients/${theirs.Patient}`).expect(404);
    await a.http.get(`/v1/physicians/${theirs.Practitioner}`).expect(404);
    await a.http.get(`/v1/practitioner-roles/${theirs.PractitionerRole}`).expect(404);
    await a.http.get(`/v1/clinician-profiles/${theirs.Practitioner}`).expect(404);
    await a.http.get(`/api-v1/clinician-profiles/${theirs.Practitioner}`).expect(404);
  });

  test('lists and filters see none of theirs', async () => {
    const byLocation = await a.http.get(`/v1/clinician-profiles?location_id=${theirs.Location}`).expect(200);
    expect(byLocation.body.data).toEqual([]);
    const bySearch = await a.http.get(`/v1/clinician-profiles?search=Iso`).expect(200);
    expect(JSON.stringify(bySearch.body)).not.toContain(theirs.Practitioner);
  });

  test('a practitioner role cannot name their practitioner', async () => {
    const res = await a.http.post('/v1/practitioner-roles').send({ practitionerId: theirs.Practitioner, role: 'doctor' });
    expect(res.status).toBe(404);
  });

  test('the same NPI and state, and the same patient email and brand, exist in both tenants without colliding', async () => {
    const physician = physicianBody();
    await b.http.post('/v1/physicians').send(physician).expect(201);
    await a.http.post('/v1/physicians').send(physician).expect(201);
    const patient = { brand_id: 'shared', first_name: 'Same', last_name: 'Person', email: `same-${u}@example.com` };
    await b.http.post('/v1/patients').send(patient).expect(201);
    await a.http.post('/v1/patients').send(patient).expect(201);
    await a.http.post('/v1/patients').send(patient).expect(409);
  });
});

describe('audit', () => {
  test('each tenant reads only its own audit trail', async () => {
    const requestId = `iso-${u}`;
    await b.http.get(`${FHIR_BASE}/Patient/${theirs.Patient}`).set('x-request-id', requestId).expect(200);
    const trail = async (app: TestApp): Promise<string> =>
      JSON.stringify((await app.http.get(`${FHIR_BASE}/AuditEvent?entity=Patient/${theirs.Patient}&_count=1000`).expect(200)).body);
    // Audit events are written in batches within about half a second.
    for (let i = 0; i < 40 && !(await trail(b)).includes(requestId); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await trail(b)).toContain(requestId);
    expect(await trail(a)).not.toContain(requestId);
  });
});
