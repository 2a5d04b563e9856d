import { randomUUID } from 'node:crypto';
import type { Binary, Bundle, BundleEntry, Patient, Resource } from '@medplum/fhirtypes';
import { EXT } from '../../mappings/fhir-urls';
import { onPostgres, rowLockHolder } from '../helpers/row-locks';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const UUID = '[0-9a-f-]{36}';
const NPI = 'urn:test:practitioner';

const transaction = (entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry });
const post = (app: TestApp, body: unknown) =>
  app.http
    .post(FHIR_BASE)
    .set('content-type', 'application/fhir+json')
    .send(body as object);

async function create(app: TestApp, resource: Resource) {
  const res = await app.http.post(`${FHIR_BASE}/${resource.resourceType}`).set('content-type', 'application/fhir+json').send(resource);
  expect(res.status).toBe(201);
  return res.body as { id: string; meta: { versionId: string } };
}

/** Versions stored in the tenant: the current ones in `resources`, the ones before them in `resource_versions`. */
async function rowCount(app: TestApp): Promise<number> {
  let versions = 0;
  for (const table of ['resources', 'resource_versions']) {
    const [row] = await app.knex(table).where({ tenant_id: app.tenantId }).count({ n: '*' });
    versions += Number(row?.n);
  }
  return versions;
}

function jsonPatch(operations: object[]): Binary {
  return { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(operations)).toString('base64') };
}

function patientWith(identifier: string, extra: Partial<Patient> = {}): Patient {
  return { resourceType: 'Patient', identifier: [{ system: 'urn:test', value: identifier }], ...extra };
}

test('a transaction creates Patient, Practitioner, PractitionerRole and ServiceRequest linked by urn:uuid', async () => {
  const [patient, practitioner, role] = [randomUUID(), randomUUID(), randomUUID()].map((u) => `urn:uuid:${u}`);
  // The ServiceRequest comes first: it must still be created after everything it references.
  const res = await post(
    t,
    transaction([
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'ServiceRequest',
          status: 'active',
          intent: 'order',
          subject: { reference: patient },
          requester: { reference: role },
          performer: [{ reference: practitioner }],
        },
        request: { method: 'POST', url: 'ServiceRequest' },
      },
      { fullUrl: patient, resource: { resourceType: 'Patient', name: [{ family: 'Linked' }] }, request: { method: 'POST', url: 'Patient' } },
      {
        fullUrl: role,
        resource: { resourceType: 'PractitionerRole', practitioner: { reference: practitioner } },
        request: { method: 'POST', url: 'PractitionerRole' },
      },
      { fullUrl: practitioner, resource: { resourceType: 'Practitioner', name: [{ family: 'Linked' }] }, request: { method: 'POST', url: 'Practitioner' } },
    ]),
  );

  expect(res.status).toBe(200);
  expect(res.body.type).toBe('transaction-response');
  const entries = res.body.entry as BundleEntry[];
  expect(entries.map((e) => e.resource?.resourceType)).toEqual(['ServiceRequest', 'Patient', 'PractitionerRole', 'Practitioner']);
  for (const e of entries) {
    expect(e.response).toMatchObject({ status: '201 Created', etag: 'W/"1"' });
    expect(e.response?.location).toMatch(new RegExp(`^${e.resource?.resourceType}/${UUID}/_history/1$`));
    expect(e.response?.lastModified).toBe(e.resource?.meta?.lastUpdated);
  }
  const [sr, pat, rol, prac] = entries.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);

  const storedRequest = (await t.http.get(`${FHIR_BASE}/${sr}`)).body;
  expect(storedRequest.subject.reference).toBe(pat);
  expect(storedRequest.requester.reference).toBe(rol);
  expect(storedRequest.performer[0].reference).toBe(prac);
  expect((await t.http.get(`${FHIR_BASE}/${rol}`)).body.practitioner.reference).toBe(prac);
});

test('a transaction whose last entry fails validation answers 422 and writes nothing', async () => {
  const app = await t.otherTenant();
  const res = await post(
    app,
    transaction([
      { fullUrl: `urn:uuid:${randomUUID()}`, resource: { resourceType: 'Patient', name: [{ family: 'Kept?' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Practitioner', name: [{ family: 'Kept?' }] }, request: { method: 'POST', url: 'Practitioner' } },
      { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
    ]),
  );

  expect(res.status).toBe(422);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue.at(-1).expression).toEqual(['Bundle.entry[2]']);
  expect(await rowCount(app)).toBe(0);
});

test('a transaction with a stale ifMatch answers 412 and rolls back the entries before it', async () => {
  const app = await t.otherTenant();
  const patient = await create(app, { resourceType: 'Patient', name: [{ family: 'v1' }] });
  await app.http
    .put(`${FHIR_BASE}/Patient/${patient.id}`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Patient', id: patient.id, name: [{ family: 'v2' }] })
    .expect(200);

  const res = await post(
    app,
    transaction([
      { resource: { resourceType: 'Practitioner', name: [{ family: 'Rolled back' }] }, request: { method: 'POST', url: 'Practitioner' } },
      {
        resource: { resourceType: 'Patient', id: patient.id, name: [{ family: 'v3' }] },
        request: { method: 'PUT', url: `Patient/${patient.id}`, ifMatch: 'W/"1"' },
      },
    ]),
  );

  expect(res.status).toBe(412);
  expect(await rowCount(app)).toBe(2);
  const current = await app.http.get(`${FHIR_BASE}/Patient/${patient.id}`);
  expect(current.body.meta.versionId).toBe('2');
  expect(current.body.name[0].family).toBe('v2');
});

test('ifNoneExist in a transaction answers 200 with the match and lends its id to the fullUrl', async () => {
  const identifier = randomUUID();
  const existing = await create(t, patientWith(identifier));
  const urn = `urn:uuid:${randomUUID()}`;

  const res = await post(
    t,
    transaction([
      {
        fullUrl: urn,
        resource: patientWith(identifier, { name: [{ family: 'Duplicate' }] }),
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:test|${identifier}` },
      },
      {
        resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: urn } },
        request: { method: 'POST', url: 'ServiceRequest' },
      },
      { resource: patientWith(randomUUID()), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:test|${randomUUID()}` } },
    ]),
  );

  expect(res.status).toBe(200);
  const [matched, request, fresh] = res.body.entry as BundleEntry[];
  expect(matched?.response?.status).toBe('200 OK');
  expect(matched?.resource?.id).toBe(existing.id);
  expect(matched?.resource).not.toHaveProperty('name');
  expect((request?.resource as { subject: { reference: string } }).subject.reference).toBe(`Patient/${existing.id}`);
  expect(fresh?.response?.status).toBe('201 Created');
});

test('ifNoneExist matching several resources fails the transaction with 412', async () => {
  const app = await t.otherTenant();
  const shared = randomUUID();
  await create(app, patientWith(shared));
  await create(app, patientWith(shared));

  const res = await post(
    app,
    transaction([
      { resource: { resourceType: 'Practitioner' }, request: { method: 'POST', url: 'Practitioner' } },
      { resource: patientWith(shared), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:test|${shared}` } },
    ]),
  );
  expect(res.status).toBe(412);
  expect(await rowCount(app)).toBe(2);
});

test('a conditional update entry updates its one match', async () => {
  const identifier = randomUUID();
  const patient = await create(t, patientWith(identifier));
  const res = await post(
    t,
    transaction([{ resource: patientWith(identifier, { active: true }), request: { method: 'PUT', url: `Patient?identifier=urn:test|${identifier}` } }]),
  );
  expect(res.status).toBe(200);
  expect(res.body.entry[0].response).toMatchObject({ status: '200 OK', location: `Patient/${patient.id}/_history/2` });
});

test('conditional references resolve to their one match', async () => {
  const npi = randomUUID();
  const practitioner = await create(t, { resourceType: 'Practitioner', identifier: [{ system: NPI, value: npi }] });

  const res = await post(
    t,
    transaction([
      {
        resource: { resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner?identifier=${NPI}|${npi}` } },
        request: { method: 'POST', url: 'PractitionerRole' },
      },
    ]),
  );

  expect(res.status).toBe(200);
  const role = res.body.entry[0].resource;
  expect(role.practitioner.reference).toBe(`Practitioner/${practitioner.id}`);
  expect((await t.http.get(`${FHIR_BASE}/PractitionerRole/${role.id}`)).body.practitioner.reference).toBe(`Practitioner/${practitioner.id}`);
});

test('a conditional reference matching nothing or several resources fails 412 and writes nothing', async () => {
  const app = await t.otherTenant();
  const shared = randomUUID();
  await create(app, patientWith(shared));
  await create(app, patientWith(shared));
  const before = await rowCount(app);

  for (const criteria of [`identifier=urn:test|${randomUUID()}`, `identifier=urn:test|${shared}`]) {
    const res = await post(
      app,
      transaction([
        { resource: { resourceType: 'Practitioner' }, request: { method: 'POST', url: 'Practitioner' } },
        {
          resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient?${criteria}` } },
          request: { method: 'POST', url: 'ServiceRequest' },
        },
      ]),
    );
    expect(res.status).toBe(412);
  }
  expect(await rowCount(app)).toBe(before);
});

test('entries run DELETE, POST, PUT/PATCH, GET and are answered in request order', async () => {
  const doomed = await create(t, { resourceType: 'Patient', name: [{ family: 'Doomed' }] });
  const kept = await create(t, { resourceType: 'Patient', name: [{ family: 'Before' }] });
  const patched = await create(t, { resourceType: 'Practitioner', active: false });
  const patch = [{ op: 'replace', path: '/active', value: true }];

  const res = await post(
    t,
    transaction([
      { request: { method: 'GET', url: `Patient/${kept.id}` } },
      { request: { method: 'GET', url: `Patient/${doomed.id}/_history/1` } },
      {
        resource: { resourceType: 'Patient', id: kept.id, name: [{ family: 'After' }] },
        request: { method: 'PUT', url: `Patient/${kept.id}`, ifMatch: 'W/"1"' },
      },
      {
        resource: jsonPatch(patch),
        request: { method: 'PATCH', url: `Practitioner/${patched.id}`, ifMatch: 'W/"1"' },
      },
      { resource: { resourceType: 'Patient', name: [{ family: 'New' }] }, request: { method: 'POST', url: 'Patient' } },
      { request: { method: 'DELETE', url: `Patient/${doomed.id}`, ifMatch: 'W/"1"' } },
    ]),
  );

  expect(res.status).toBe(200);
  const entries = res.body.entry as BundleEntry[];
  expect(entries.map((e) => e.response?.status)).toEqual(['200 OK', '200 OK', '200 OK', '200 OK', '201 Created', '200 OK']);
  // The GET ran after the PUT; the DELETE ran first, yet its old version stays readable.
  expect(entries[0]?.resource).toMatchObject({ name: [{ family: 'After' }], meta: { versionId: '2' } });
  expect(entries[0]?.response?.location).toBeUndefined();
  expect(entries[1]?.resource).toMatchObject({ name: [{ family: 'Doomed' }] });
  expect(entries[2]?.response?.location).toBe(`Patient/${kept.id}/_history/2`);
  expect(entries[3]?.resource).toMatchObject({ active: true });
  expect(entries[5]?.response?.outcome?.resourceType).toBe('OperationOutcome');
  expect((await t.http.get(`${FHIR_BASE}/Patient/${doomed.id}`)).status).toBe(410);
});

test('a DELETE with a stale ifMatch fails the transaction with 412', async () => {
  const patient = await create(t, { resourceType: 'Patient' });
  const res = await post(t, transaction([{ request: { method: 'DELETE', url: `Patient/${patient.id}`, ifMatch: 'W/"2"' } }]));
  expect(res.status).toBe(412);
  expect((await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`)).status).toBe(200);
});

test('GET entries search with the query of their url', async () => {
  const identifier = randomUUID();
  const res = await post(
    t,
    transaction([
      { resource: patientWith(identifier), request: { method: 'POST', url: 'Patient' } },
      { request: { method: 'GET', url: `Patient?identifier=urn:test|${identifier}` } },
    ]),
  );
  expect(res.status).toBe(200);
  const searchset = res.body.entry[1].resource as Bundle;
  expect(searchset.type).toBe('searchset');
  expect(searchset.entry?.map((e) => e.resource?.id)).toEqual([res.body.entry[0].resource.id]);
});

test('changing the same resource twice in one transaction is a 400', async () => {
  const patient = await create(t, { resourceType: 'Patient' });
  const res = await post(
    t,
    transaction([
      { resource: { resourceType: 'Patient', id: patient.id }, request: { method: 'PUT', url: `Patient/${patient.id}` } },
      { request: { method: 'DELETE', url: `Patient/${patient.id}` } },
    ]),
  );
  expect(res.status).toBe(400);
  expect(res.body.issue[0].expression).toEqual(['Bundle.entry[1].request.url']);
});

test('created resources referencing each other in a cycle are stored pointing at each other', async () => {
  const [a, b] = [`urn:uuid:${randomUUID()}`, `urn:uuid:${randomUUID()}`];
  const res = await post(
    t,
    transaction([
      { fullUrl: a, resource: { resourceType: 'Organization', name: 'A', partOf: { reference: b } }, request: { method: 'POST', url: 'Organization' } },
      { fullUrl: b, resource: { resourceType: 'Organization', name: 'B', partOf: { reference: a } }, request: { method: 'POST', url: 'Organization' } },
    ]),
  );
  expect(res.status).toBe(200);
  const [first, second] = (res.body.entry as BundleEntry[]).map((e) => e.resource as Resource & { partOf: { reference: string } });
  expect(first!.partOf.reference).toBe(`Organization/${second!.id}`);
  expect(second!.partOf.reference).toBe(`Organization/${first!.id}`);
  const stored = await t.http.get(`${FHIR_BASE}/Organization?_id=${first!.id}&_include=Organization:partof`).expect(200);
  expect((stored.body.entry as BundleEntry[]).map((e) => e.resource?.id).sort()).toEqual([first!.id, second!.id].sort());
});

test('conditional creates referencing each other in a cycle are a 400 naming the fullUrl', async () => {
  const [a, b] = [`urn:uuid:${randomUUID()}`, `urn:uuid:${randomUUID()}`];
  const res = await post(
    t,
    transaction([
      {
        fullUrl: a,
        resource: { resourceType: 'Organization', name: `A${a}`, partOf: { reference: b } },
        request: { method: 'POST', url: 'Organization', ifNoneExist: `name:exact=A${a}` },
      },
      {
        fullUrl: b,
        resource: { resourceType: 'Organization', name: `B${b}`, partOf: { reference: a } },
        request: { method: 'POST', url: 'Organization', ifNoneExist: `name:exact=B${b}` },
      },
    ]),
  );
  expect(res.status).toBe(400);
  expect(res.body.issue[0].expression[0]).toMatch(/^Bundle\.entry\[\d\]\.fullUrl$/);
});

test('two creates of one transaction sharing a business key: 409 naming the second entry, nothing written', async () => {
  const app = await t.otherTenant();
  const email = `${randomUUID()}@example.com`;
  const branded = (family: string): Patient => ({
    resourceType: 'Patient',
    name: [{ family }],
    extension: [{ url: EXT.brandId, valueString: 'tx-brand' }],
    telecom: [{ system: 'email', value: email }],
  });
  const res = await post(
    app,
    transaction([
      { resource: { resourceType: 'Organization', name: 'Clinic' }, request: { method: 'POST', url: 'Organization' } },
      { resource: branded('First'), request: { method: 'POST', url: 'Patient' } },
      { resource: branded('Second'), request: { method: 'POST', url: 'Patient' } },
    ]),
  );
  expect(res.status).toBe(409);
  expect(res.body.issue[0].code).toBe('duplicate');
  expect(res.body.issue.at(-1).expression).toEqual(['Bundle.entry[2]']);
  expect(await rowCount(app)).toBe(0);
});

test('a create refused in the middle of a transaction is the one named, whatever comes after it', async () => {
  const app = await t.otherTenant();
  const res = await post(
    app,
    transaction([
      { resource: { resourceType: 'Organization', name: 'Fine' }, request: { method: 'POST', url: 'Organization' } },
      { resource: { resourceType: 'Patient', gender: 'x' } as unknown as Patient, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Organization', name: 'Fine too' }, request: { method: 'POST', url: 'Organization' } },
    ]),
  );
  expect(res.status).toBe(422);
  expect(res.body.issue[0].expression).toEqual(['Patient.gender']);
  expect(res.body.issue.at(-1).expression).toEqual(['Bundle.entry[1]']);
  expect(await rowCount(app)).toBe(0);
});

test("a transaction cannot read, patch, delete or overwrite another tenant's resources", async () => {
  const owner = await t.otherTenant();
  const theirs = await create(owner, { resourceType: 'Patient', name: [{ family: 'Private' }] });

  const attempts: BundleEntry[] = [
    { request: { method: 'GET', url: `Patient/${theirs.id}` } },
    { resource: jsonPatch([]), request: { method: 'PATCH', url: `Patient/${theirs.id}` } },
    { request: { method: 'DELETE', url: `Patient/${theirs.id}` } },
  ];
  for (const entry of attempts) {
    const res = await post(t, transaction([entry]));
    expect(res.status).toBe(404);
    expect(res.body.issue[0].code).toBe('not-found');
  }
  // A PUT is update-as-create: it makes this tenant's own Patient under that id.
  const put = await post(t, transaction([{ resource: { resourceType: 'Patient', id: theirs.id }, request: { method: 'PUT', url: `Patient/${theirs.id}` } }]));
  expect(put.body.entry[0].response.status).toBe('201 Created');
  const stillThere = await owner.http.get(`${FHIR_BASE}/Patient/${theirs.id}`);
  expect(stillThere.body).toMatchObject({ name: [{ family: 'Private' }], meta: { versionId: '1' } });
});

onPostgres('a transaction locks the resources it changes by type, then id, before any entry runs, as a batch of updates locks them', async () => {
  const patient = await create(t, { resourceType: 'Patient', name: [{ family: 'Held' }] });
  const practitioner = await create(t, { resourceType: 'Practitioner', name: [{ family: 'Free' }] });
  const holder = await rowLockHolder(t);
  try {
    await holder.lock('Patient', patient.id);
    // The Bundle names the Practitioner first; its entries would lock it first, then wait on the Patient.
    const answer = post(
      t,
      transaction([
        { resource: { resourceType: 'Practitioner', id: practitioner.id, gender: 'male' }, request: { method: 'PUT', url: `Practitioner/${practitioner.id}` } },
        { resource: { resourceType: 'Patient', id: patient.id, gender: 'female' }, request: { method: 'PUT', url: `Patient/${patient.id}` } },
      ]),
    ).then((res) => res.status);
    await holder.untilWaitedOn();
    // Waiting on the Patient, the Bundle holds nothing of the Practitioner, which sorts after it.
    const probe = await rowLockHolder(t);
    try {
      await expect(probe.lock('Practitioner', practitioner.id, { noWait: true })).resolves.toBeUndefined();
    } finally {
      await probe.release();
    }
    await holder.release();
    expect(await answer).toBe(200);
  } finally {
    await holder.release();
  }
});
