import { randomBytes } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** Random letters and digits do not compress: a few thousand of them overflow a btree entry unless the index bounds them. */
const incompressible = (length: number): string => randomBytes(length).toString('base64').replace(/[+/=]/g, 'x').slice(0, length);

const FHIR_JSON = 'application/fhir+json';

describe('strings longer than an index entry can hold are stored and stay searchable', () => {
  test('a name: prefix, :exact and :contains all find it; a different long name with the same start does not match :exact', async () => {
    const family = `Long${incompressible(6000)}`;
    const created = await t.http
      .post(`${FHIR_BASE}/Patient`)
      .set('content-type', FHIR_JSON)
      .send({ resourceType: 'Patient', name: [{ family }] });
    expect(created.status).toBe(201);
    const twin = `${family.slice(0, 3000)}${incompressible(3000)}`;
    expect((await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', name: [{ family: twin }] })).status).toBe(201);

    const ids = async (query: string): Promise<string[]> => {
      const res = await t.http.post(`${FHIR_BASE}/Patient/_search`).type('form').send(query);
      expect(res.status).toBe(200);
      return (res.body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);
    };
    expect(await ids(`family:exact=${encodeURIComponent(family)}`)).toEqual([created.body.id]);
    expect(await ids(`family=${encodeURIComponent(family.toLowerCase())}`)).toEqual([created.body.id]);
    expect(await ids(`family=${encodeURIComponent(family.slice(0, 2000))}`)).toHaveLength(2);
    expect(await ids(`family:contains=${encodeURIComponent(family.slice(4000, 5000))}`)).toEqual([created.body.id]);
  });

  test('an identifier value and system: token search matches the whole value only', async () => {
    const value = incompressible(5000);
    const system = `urn:long:${incompressible(3000)}`;
    const created = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', identifier: [{ system, value }] });
    expect(created.status).toBe(201);
    expect((await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', identifier: [{ system, value: `${value}z` }] })).status).toBe(201);

    const found = await t.http
      .post(`${FHIR_BASE}/Patient/_search`)
      .type('form')
      .send(`identifier=${encodeURIComponent(`${system}|${value}`)}`);
    expect(found.body.total).toBe(1);
    expect(found.body.entry[0].resource.id).toBe(created.body.id);
    const read = await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}`);
    expect(read.body.identifier[0].value).toBe(value);
  });

  test('a uri: exact and :below', async () => {
    const uri = `https://example.org/protocols/${incompressible(5000)}`;
    const created = await t.http.post(`${FHIR_BASE}/ServiceRequest`).send({
      resourceType: 'ServiceRequest',
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/someone' },
      instantiatesUri: [uri],
    });
    expect(created.status).toBe(201);
    const exact = await t.http
      .post(`${FHIR_BASE}/ServiceRequest/_search`)
      .type('form')
      .send(`instantiates-uri=${encodeURIComponent(uri)}`);
    expect(exact.body.total).toBe(1);
    const below = await t.http
      .post(`${FHIR_BASE}/ServiceRequest/_search`)
      .type('form')
      .send(`instantiates-uri:below=${encodeURIComponent(uri.slice(0, 3000))}`);
    expect(below.body.total).toBe(1);
  });

  test('/v1: a long external id is unique per brand; a long role phone is stored', async () => {
    const brand = `brand-${incompressible(8)}`;
    const externalId = incompressible(5000);
    const patient = { brand_id: brand, first_name: 'Ada', last_name: 'Lovelace', external_ids: { ehr: externalId } };
    const first = await t.http.post('/v1/patients').send(patient);
    expect(first.status).toBe(201);
    const again = await t.http.post('/v1/patients').send({ ...patient, first_name: 'Other' });
    expect(again.status).toBe(409);
    const almost = await t.http.post('/v1/patients').send({ ...patient, external_ids: { ehr: `${externalId.slice(0, 4999)}!` } });
    expect(almost.status).toBe(201);

    const practitioner = await t.http.post(`${FHIR_BASE}/Practitioner`).send({ resourceType: 'Practitioner', name: [{ family: 'Role' }] });
    const phone = incompressible(5000);
    const role = await t.http.post('/v1/practitioner-roles').send({ practitionerId: practitioner.body.id, role: 'consultant', phone });
    expect(role.status).toBe(201);
    const found = await t.http
      .post(`${FHIR_BASE}/PractitionerRole/_search`)
      .type('form')
      .send(`telecom=${encodeURIComponent(phone)}`);
    expect(found.body.total).toBe(1);
  });
});
