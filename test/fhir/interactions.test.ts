import { randomUUID } from 'node:crypto';
import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

const FHIR_JSON = 'application/fhir+json';

/** A minimal valid resource of each stored type. */
const SAMPLES: Record<string, () => Resource> = {
  Patient: () => ({ resourceType: 'Patient', name: [{ family: `Matrix-${randomUUID()}` }] }),
  Practitioner: () => ({ resourceType: 'Practitioner', name: [{ family: `Matrix-${randomUUID()}` }] }),
  PractitionerRole: () => ({ resourceType: 'PractitionerRole', active: true }),
  ServiceRequest: () => ({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/abc' } }),
  Organization: () => ({ resourceType: 'Organization', name: `Org ${randomUUID()}` }),
  Location: () => ({ resourceType: 'Location', name: `Loc ${randomUUID()}` }),
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const post = (type: string, body: unknown) =>
  t.http
    .post(`${FHIR_BASE}/${type}`)
    .set('content-type', FHIR_JSON)
    .send(body as object);

describe.each(Object.keys(SAMPLES))('%s interaction matrix', (type) => {
  const sample = SAMPLES[type]!;

  test('create answers 201 with Location, ETag and Last-Modified', async () => {
    const res = await post(type, sample());
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers['last-modified']).toBeDefined();
    expect(res.headers.location).toBe(`${res.request.url.replace(/\/[A-Za-z]+$/, '')}/${type}/${res.body.id}/_history/1`);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('read answers 200; an unknown id 404', async () => {
    const { body } = await post(type, sample());
    const read = await t.http.get(`${FHIR_BASE}/${type}/${body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(body);
    const missing = await t.http.get(`${FHIR_BASE}/${type}/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
  });

  test('update makes version 2, vread returns each version', async () => {
    const { body } = await post(type, sample());
    const updated = await t.http
      .put(`${FHIR_BASE}/${type}/${body.id}`)
      .set('content-type', FHIR_JSON)
      .send({ ...sample(), id: body.id });
    expect(updated.status).toBe(200);
    expect(updated.body.meta.versionId).toBe('2');
    expect(updated.headers.etag).toBe('W/"2"');
    const v1 = await t.http.get(`${FHIR_BASE}/${type}/${body.id}/_history/1`);
    expect(v1.status).toBe(200);
    expect(v1.body).toEqual(body);
    expect((await t.http.get(`${FHIR_BASE}/${type}/${body.id}/_history/9`)).status).toBe(404);
  });

  test('malformed JSON and a mismatched resourceType answer 400', async () => {
    const malformed = await t.http.post(`${FHIR_BASE}/${type}`).set('content-type', FHIR_JSON).send('{"resourceType": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.resourceType).toBe('OperationOutcome');
    const wrongType = await post(type, { resourceType: type === 'Patient' ? 'Location' : 'Patient' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.issue[0].expression).toEqual(['resourceType']);
  });

  test('delete answers 200, then read 410 and history shows the deletion', async () => {
    const { body } = await post(type, sample());
    expect((await t.http.delete(`${FHIR_BASE}/${type}/${body.id}`)).status).toBe(200);
    const gone = await t.http.get(`${FHIR_BASE}/${type}/${body.id}`);
    expect(gone.status).toBe(410);
    expect(gone.body.issue[0].code).toBe('deleted');
    const history = await t.http.get(`${FHIR_BASE}/${type}/${body.id}/_history`);
    expect(history.body.total).toBe(2);
    expect(history.body.entry[0].request.method).toBe('DELETE');
    expect(history.body.entry[0].resource).toBeUndefined();
  });

  test('update with a stale If-Match answers 412; the current one succeeds', async () => {
    const { body } = await post(type, sample());
    const stale = await t.http
      .put(`${FHIR_BASE}/${type}/${body.id}`)
      .set('content-type', FHIR_JSON)
      .set('if-match', 'W/"7"')
      .send({ ...sample(), id: body.id });
    expect(stale.status).toBe(412);
    const current = await t.http
      .put(`${FHIR_BASE}/${type}/${body.id}`)
      .set('content-type', FHIR_JSON)
      .set('if-match', 'W/"1"')
      .send({ ...sample(), id: body.id });
    expect(current.status).toBe(200);
  });

  test('delete with a stale If-Match answers 412 and deletes nothing', async () => {
    const { body } = await post(type, sample());
    expect((await t.http.delete(`${FHIR_BASE}/${type}/${body.id}`).set('if-match', 'W/"2"')).status).toBe(412);
    expect((await t.http.get(`${FHIR_BASE}/${type}/${body.id}`)).status).toBe(200);
    expect((await t.http.delete(`${FHIR_BASE}/${type}/${body.id}`).set('if-match', 'W/"1"')).status).toBe(200);
  });

  test('an invalid resource answers 422 naming the element', async () => {
    const invalid = await post(type, { ...sample(), notAnElement: 1 });
    expect(invalid.status).toBe(422);
    expect(invalid.body.issue[0].expression[0]).toBe(`${type}.notAnElement`);
  });

  test('an unknown profile claim is kept and reported as a warning', async () => {
    const claim = 'https://example.org/StructureDefinition/nope';
    const created = await post(type, { ...sample(), meta: { profile: [claim] } }).set('prefer', 'return=OperationOutcome');
    expect(created.status).toBe(201);
    expect(created.body.resourceType).toBe('OperationOutcome');
    expect(created.body.issue).toContainEqual(expect.objectContaining({ severity: 'warning', expression: [`${type}.meta.profile[0]`] }));
    const read = await t.http.get(new URL(created.headers.location!).pathname.replace(/\/_history\/1$/, ''));
    expect(read.body.meta.profile).toEqual([claim]);
  });
});

describe('server-assigned ids', () => {
  const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  test('a create, a transaction and a /v1 create give time-ordered UUIDs, later ones sorting after earlier ones', async () => {
    const created = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', FHIR_JSON).send(SAMPLES.Patient!());
    const bundle = await t.http
      .post(FHIR_BASE)
      .set('content-type', FHIR_JSON)
      .send({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ fullUrl: `urn:uuid:${randomUUID()}`, resource: SAMPLES.Patient!(), request: { method: 'POST', url: 'Patient' } }],
      });
    const v1 = await t.http
      .post('/v1/patients')
      .send({ brand_id: 'b', first_name: 'Ada', last_name: 'Lovelace', date_of_birth: '1985-12-10', email: `ada.${randomUUID()}@example.com` });
    expect([created.status, bundle.status, v1.status]).toEqual([201, 200, 201]);
    const ids = [created.body.id, bundle.body.entry[0].resource.id, v1.body.id] as string[];
    for (const id of ids) expect(id).toMatch(V7);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('update-as-create, patch and Prefer', () => {
  test('PUT to an unused id creates the resource with that id (201)', async () => {
    const id = `client-${randomUUID().slice(0, 8)}`;
    const res = await t.http.put(`${FHIR_BASE}/Patient/${id}`).set('content-type', FHIR_JSON).send({ resourceType: 'Patient', id });
    expect(res.status).toBe(201);
    expect(res.headers.location).toContain(`/Patient/${id}/_history/1`);
  });

  test('PUT whose body id differs from the URL answers 400', async () => {
    const res = await t.http.put(`${FHIR_BASE}/Patient/abc`).set('content-type', FHIR_JSON).send({ resourceType: 'Patient', id: 'xyz' });
    expect(res.status).toBe(400);
  });

  test('JSON Patch updates the resource; a failed test op answers 422', async () => {
    const { body } = await post('Patient', { resourceType: 'Patient', active: true });
    const patched = await t.http
      .patch(`${FHIR_BASE}/Patient/${body.id}`)
      .set('content-type', 'application/json-patch+json')
      .send([{ op: 'replace', path: '/active', value: false }]);
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(false);
    expect(patched.body.meta.versionId).toBe('2');
    const failed = await t.http
      .patch(`${FHIR_BASE}/Patient/${body.id}`)
      .set('content-type', 'application/json-patch+json')
      .send([{ op: 'test', path: '/active', value: true }]);
    expect(failed.status).toBe(422);
    const invalid = await t.http
      .patch(`${FHIR_BASE}/Patient/${body.id}`)
      .set('content-type', 'application/json-patch+json')
      .send([{ op: 'add', path: '/birthDate', value: 'yesterday' }]);
    expect(invalid.status).toBe(422);
  });

  test('Prefer return=minimal sends no body; return=OperationOutcome sends the outcome', async () => {
    const minimal = await post('Organization', SAMPLES.Organization!()).set('prefer', 'return=minimal');
    expect(minimal.status).toBe(201);
    expect(minimal.text).toBe('');
    expect(minimal.headers.location).toBeDefined();
    const outcome = await post('Organization', SAMPLES.Organization!()).set('prefer', 'return=OperationOutcome');
    expect(outcome.status).toBe(201);
    expect(outcome.body.resourceType).toBe('OperationOutcome');
  });

  test('server-owned meta fields in a request body never take effect', async () => {
    const res = await post('Patient', { resourceType: 'Patient', id: 'mine', meta: { versionId: '42', lastUpdated: '2001-01-01T00:00:00Z' } });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('mine');
    expect(res.body.meta.versionId).toBe('1');
    expect(res.body.meta.lastUpdated).not.toBe('2001-01-01T00:00:00Z');
  });
});

describe('history', () => {
  test('type history pages newest first with next links to the end', async () => {
    const fresh = await t.otherTenant();
    for (let i = 0; i < 5; i++) {
      await fresh.http.post(`${FHIR_BASE}/Location`).set('content-type', FHIR_JSON).send(SAMPLES.Location!());
    }
    const seen: string[] = [];
    let url: string | undefined = `${FHIR_BASE}/Location/_history?_count=2`;
    while (url) {
      const page = await fresh.http.get(url);
      expect(page.status).toBe(200);
      expect(page.body.type).toBe('history');
      expect(page.body.total).toBe(5);
      seen.push(...page.body.entry.map((e: { resource: Resource }) => e.resource.id));
      const next = page.body.link.find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
      url = next ? next.slice(next.indexOf(FHIR_BASE)) : undefined;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  test('type history holds every version once, current or not, deletions included, newest first across pages', async () => {
    const fresh = await t.otherTenant();
    const create = async (): Promise<string> =>
      (await fresh.http.post(`${FHIR_BASE}/Location`).set('content-type', FHIR_JSON).send(SAMPLES.Location!()).expect(201)).body.id as string;
    const a = await create();
    const b = await create();
    for (const name of ['second', 'third']) {
      await fresh.http
        .put(`${FHIR_BASE}/Location/${a}`)
        .set('content-type', FHIR_JSON)
        .send({ ...SAMPLES.Location!(), id: a, name })
        .expect(200);
    }
    await fresh.http.delete(`${FHIR_BASE}/Location/${b}`).expect(200);
    const seen: string[] = [];
    let url: string | undefined = `${FHIR_BASE}/Location/_history?_count=2`;
    while (url) {
      const page = await fresh.http.get(url).expect(200);
      expect(page.body.total).toBe(5);
      for (const e of page.body.entry as BundleEntry[]) seen.push(`${e.request!.method} ${e.fullUrl!.split('/').pop()} ${e.response!.etag}`);
      const next = page.body.link.find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
      url = next ? next.slice(next.indexOf(FHIR_BASE)) : undefined;
    }
    expect(seen).toEqual([`DELETE ${b} W/"2"`, `PUT ${a} W/"3"`, `PUT ${a} W/"2"`, `POST ${b} W/"1"`, `POST ${a} W/"1"`]);
    const since = (await fresh.http.get(`${FHIR_BASE}/Location/${a}/_history/2`).expect(200)).body.meta.lastUpdated as string;
    expect((await fresh.http.get(`${FHIR_BASE}/Location/_history`).query({ _since: since })).body.total).toBe(3);
  });

  test('_since filters and a malformed _since answers 400', async () => {
    const { body } = await post('Patient', SAMPLES.Patient!());
    const future = await t.http.get(`${FHIR_BASE}/Patient/${body.id}/_history?_since=2999-01-01T00:00:00Z`);
    expect(future.body.total).toBe(0);
    expect((await t.http.get(`${FHIR_BASE}/Patient/${body.id}/_history?_since=nope`)).status).toBe(400);
  });
});
