import { randomUUID } from 'node:crypto';
import { AuditLog, type AuditRecord } from '../../src/store/audit-log';
import { createLogger } from '../../src/logger';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** Raw JSON text, so escapes such as `\ud800` reach the server as written. */
const raw = (path: string, text: string, type = 'application/json') => t.http.post(path).set('content-type', type).send(text);

describe('strings PostgreSQL cannot store are a 400 naming the element, before any SQL', () => {
  test.each([
    ['a lone high surrogate', '\\ud800'],
    ['a lone low surrogate', 'x\\udc00y'],
    ['a NUL character', 'a\\u0000b'],
  ])('FHIR: %s', async (_what, escaped) => {
    const res = await raw(`${FHIR_BASE}/Patient`, `{"resourceType":"Patient","name":[{"family":"${escaped}"}]}`, 'application/fhir+json');
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['Patient.name[0].family']);
  });

  test('/v1: a NUL in a field, a surrogate in metadata', async () => {
    const nul = await raw('/v1/patients', '{"brand_id":"b","first_name":"A\\u0000","last_name":"B"}');
    expect(nul.status).toBe(400);
    expect(nul.body).toEqual({ error: 'validation_error', message: expect.stringContaining('first_name') });
    const surrogate = await raw('/v1/patients', '{"brand_id":"b","first_name":"A","last_name":"B","metadata":{"note":"\\ud83d"}}');
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.message).toContain('metadata.note');
  });

  test('a surrogate pair (an emoji) is fine', async () => {
    const res = await raw(`${FHIR_BASE}/Patient`, '{"resourceType":"Patient","name":[{"family":"Smile \\ud83d\\ude00"}]}', 'application/fhir+json');
    expect(res.status).toBe(201);
    expect(res.body.name[0].family).toBe('Smile 😀');
  });

  test('a NUL in a clinician-profiles search is a 400 naming the parameter', async () => {
    const res = await t.http.get('/v1/clinician-profiles?search=a%00b');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_parameter');
  });
});

describe('shapes that would break the server', () => {
  test('JSON nested thousands of levels deep is a 400, FHIR and /v1', async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const fhir = await raw(
      `${FHIR_BASE}/Patient`,
      `{"resourceType":"Patient","extension":[{"url":"x","valueString":"y","z":${deep(5000)}}]}`,
      'application/fhir+json',
    );
    expect(fhir.status).toBe(400);
    expect(fhir.body.issue[0].details.text).toContain('nests deeper than');
    const v1 = await raw('/v1/patients', `{"brand_id":"b","first_name":"A","last_name":"B","metadata":${deep(5000)}}`);
    expect(v1.status).toBe(400);
    expect(v1.body.message).toContain('nests deeper than');
  });

  test('a version id beyond PostgreSQL’s integer range names no version', async () => {
    const created = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient' });
    expect((await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}/_history/2147483649`)).status).toBe(404);
    expect((await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}/_history/99999999999999999999`)).status).toBe(404);
  });

  test('a valid resource with 10,000 identifiers is stored and searchable', async () => {
    const value = randomUUID();
    const identifier = Array.from({ length: 10_000 }, (_, i) => ({ system: 'urn:many', value: `${value}-${i}` }));
    const created = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', identifier });
    expect(created.status).toBe(201);
    const found = await t.http.get(`${FHIR_BASE}/Patient?identifier=urn:many|${value}-9999`);
    expect(found.body.total).toBe(1);
  });
});

describe('element names that every JavaScript object answers to are unknown elements', () => {
  const INHERITED = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  test.each(INHERITED)('%s: 422 on create, update, patch and in a transaction, naming the element', async (name) => {
    const body = `{"resourceType":"Patient","name":[{"family":"A","${name}":{"a":1}}]}`;
    const created = await raw(`${FHIR_BASE}/Patient`, body, 'application/fhir+json');
    expect(created.status).toBe(422);
    expect(created.body.issue[0]).toMatchObject({ code: 'structure', expression: [`Patient.name[0].${name}`] });

    const existing = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient' });
    const id = existing.body.id as string;
    const updated = await t.http
      .put(`${FHIR_BASE}/Patient/${id}`)
      .set('content-type', 'application/fhir+json')
      .send(`{"resourceType":"Patient","id":"${id}","${name}":"x"}`);
    expect(updated.status).toBe(422);
    expect(updated.body.issue[0].expression).toEqual([`Patient.${name}`]);

    const patched = await t.http
      .patch(`${FHIR_BASE}/Patient/${id}`)
      .set('content-type', 'application/json-patch+json')
      .send(`[{"op":"add","path":"/${name}","value":"x"}]`);
    expect(patched.status).toBe(422);

    const transaction = await raw(
      FHIR_BASE,
      `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"POST","url":"Patient"},"resource":{"resourceType":"Patient","${name}":1}}]}`,
      'application/fhir+json',
    );
    expect(transaction.status).toBe(422);
    expect((await t.http.get(`${FHIR_BASE}/Patient/${id}`)).body.meta.versionId).toBe('1');
  });
});

describe('what the fuzz suite found', () => {
  test.each([
    ['an object in a string array', { name: [{ family: 'A', given: [{}] }] }, 'Patient.name[0].given[0]'],
    ['an array in a string array', { name: [{ family: 'A', given: ['B', []] }] }, 'Patient.name[0].given[1]'],
    ['an empty object for a string', { name: [{ family: {} }] }, 'Patient.name[0].family'],
    ['an empty object for a date', { birthDate: {} }, 'Patient.birthDate'],
    ['an object for a choice primitive', { deceasedBoolean: { value: true } }, 'Patient.deceasedBoolean'],
    ['an empty array', { gender: [] }, 'Patient.gender'],
    ['a number for an extension twin', { gender: 'male', _gender: 5e-324 }, 'Patient._gender'],
    ['a number in a repeating extension twin', { name: [{ given: ['A'], _given: [1] }] }, 'Patient.name[0]._given'],
    ['a contained resource of no type', { contained: [{ resourceType: 0, id: 'c' }] }, 'Patient.contained[0].resourceType'],
    ['a contained entry that is no object', { contained: [1] }, 'Patient.contained[0].resourceType'],
    ['contained that is no array', { contained: 'x' }, 'Patient.contained'],
    ['a number for a HumanName', { name: [1] }, 'Patient.name[0]'],
    ['an object for a string inside a backbone element', { contact: [{ name: { given: [{}] } }] }, 'Patient.contact[0].name.given[0]'],
    [
      'an empty array inside a nested extension',
      { extension: [{ url: 'http://example.org/a', extension: [{ url: 'b', valueCoding: { code: [] } }] }] },
      'Patient.extension[0].extension[0].valueCoding.code',
    ],
    [
      'an object for a date in a contained resource',
      { contained: [{ resourceType: 'Practitioner', id: 'p', birthDate: {} }] },
      'Patient.contained[0].birthDate',
    ],
  ])('a primitive written as JSON %s is a 422 naming it', async (_what, fields, expression) => {
    const res = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', ...fields });
    expect(res.status).toBe(422);
    expect(res.body.issue.map((i: { expression: string[] }) => i.expression[0])).toContain(expression);
  });

  test('a primitive’s extension twin (_birthDate) is still an object', async () => {
    const extension = [{ url: 'http://example.org/fhir/StructureDefinition/accuracy', valueString: 'estimated' }];
    const res = await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', birthDate: '1970', _birthDate: { extension } });
    expect(res.status).toBe(201);
    expect(res.body._birthDate).toEqual({ extension });
  });

  test('the history of an id no resource can have is a 400, as its read is', async () => {
    expect((await t.http.get(`${FHIR_BASE}/Patient/abc%00/_history`)).status).toBe(400);
    expect((await t.http.get(`${FHIR_BASE}/Patient/abc%00`)).status).toBe(400);
  });

  test('an audit event quoting text PostgreSQL cannot store is kept (made storable) and does not take its batch with it', async () => {
    const audit = new AuditLog(t.knex, createLogger('silent'));
    const record = (id: string, what: string): AuditRecord => ({
      tenantId: t.tenantId,
      entry: {
        id,
        recorded: new Date().toISOString(),
        action: 'R',
        interaction: 'read',
        succeeded: false,
        agent: { via: 'api-key', id: 'test' },
        requestId: 'unstorable-audit',
        entities: [what],
        description: 'Patient',
      },
    });
    const [good, bad] = [randomUUID(), randomUUID()];
    audit.record(record(good, 'Patient/fine'));
    audit.record(record(bad, 'Patient/abc\u0000\ud800'));
    await audit.close();
    const stored = await audit.search(t.tenantId, { count: 10, offset: 0, entity: 'Patient/abc\ufffd\ufffd' });
    expect(stored.entries.map((e) => [e.id, e.entities[0]])).toEqual([[bad, 'Patient/abc\ufffd\ufffd']]);
    expect((await audit.search(t.tenantId, { count: 10, offset: 0, entity: 'Patient/fine' })).entries.map((e) => e.id)).toContain(good);
  });

  test('a POST _search parameter is named as written, brackets included', async () => {
    const res = await t.http.post(`${FHIR_BASE}/Patient/_search`).type('form').send('[$ne]=1&name[x]=2');
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['[$ne]']);
  });
});
