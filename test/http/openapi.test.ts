import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiPath } from '../../src/http/openapi/operations';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** What the document holds, as far as these tests read it. */
interface MediaType {
  schema: { $ref?: string };
  examples?: Record<string, { summary: string; value: unknown }>;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: { enum?: string[] };
}
interface Operation {
  operationId: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, MediaType> }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; headers: Record<string, unknown> };
}

const DOCUMENTED_PREFIXES = ['/v1/', '/api-v1/', '/admin/'];
/** A physician is also a clinician profile, under the same id. */
const SAME_RECORD: Record<string, string[]> = { '/v1/physicians': ['/v1/clinician-profiles', '/api-v1/clinician-profiles'] };
const ajv = addFormats(new Ajv2020({ strict: true, allowUnionTypes: true }));

let t: TestApp;
let doc: OpenApi;
beforeAll(async () => {
  t = await startTestApp();
  doc = (await t.anonymous.get('/v1/openapi.json').expect(200)).body as OpenApi;
});
afterAll(() => t.close());

function operations(): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).map(([method, op]) => ({ method, path: p, op })));
}

function schemaOf(media: MediaType): Record<string, unknown> {
  const name = media.schema.$ref?.replace('#/components/schemas/', '');
  const schema = name === undefined ? media.schema : doc.components.schemas[name];
  if (!schema) throw new Error(`no component schema ${name}`);
  return schema;
}

const validators = new Map<string, ValidateFunction>();
function validatorOf(media: MediaType): ValidateFunction {
  const key = JSON.stringify(schemaOf(media));
  if (!validators.has(key)) validators.set(key, ajv.compile(schemaOf(media)));
  return validators.get(key)!;
}

test('the document is served without credentials and is valid OpenAPI 3.1', async () => {
  const res = await t.anonymous.get('/v1/openapi.json').expect(200);
  expect(res.type).toBe('application/json');
  expect(res.body.openapi).toBe('3.1.0');
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const result = await new Validator().validate(res.body);
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
  // A credential that is sent must still be valid.
  await t.anonymous.get('/v1/openapi.json').set('authorization', 'Bearer not-a-key').expect(401);
  await t.http.get('/v1/openapi.json').expect(200);
});

test('every route mounted under /v1, /api-v1 and /admin is in the document, and every operation in it is mounted', () => {
  interface Listed {
    path: string;
    methods?: string[];
    router?: { listRoutes(): Listed[] };
  }
  const mounted = (router: { listRoutes(): Listed[] }, prefix: string): string[] =>
    router
      .listRoutes()
      .flatMap((r) =>
        r.router
          ? mounted(r.router, `${prefix}${r.path}`)
          : (r.methods ?? []).filter((m) => m.toUpperCase() !== 'HEAD').map((m) => `${m.toUpperCase()} ${openApiPath(prefix, r.path)}`),
      );
  const routed = mounted((t.app as unknown as { router: { listRoutes(): Listed[] } }).router, '').filter((r) =>
    DOCUMENTED_PREFIXES.some((p) => `${r.split(' ')[1]}/`.startsWith(p)),
  );
  const documented = operations().map(({ method, path: p }) => `${method.toUpperCase()} ${p}`);
  expect(routed.length).toBeGreaterThan(10);
  expect([...new Set(routed)].sort()).toEqual(documented.sort());
});

test('each schema of mappings/schemas is published as it is on disk (without its draft-07 $schema)', () => {
  const dir = path.join(__dirname, '../../mappings/schemas');
  const published = readdirSync(dir).filter((f) => doc.components.schemas[f.replace(/\.json$/, '')]);
  expect(published.length).toBeGreaterThanOrEqual(22);
  for (const file of published) {
    const { $schema: _dialect, ...schema } = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    expect(doc.components.schemas[file.replace(/\.json$/, '')]).toEqual(schema);
  }
});

test('every example validates against the schema it illustrates', () => {
  let checked = 0;
  for (const { op } of operations()) {
    const media = [op.requestBody?.content, ...Object.values(op.responses).map((r) => r.content)].flatMap((c) => Object.values(c ?? {}));
    for (const m of media) {
      for (const [name, example] of Object.entries(m.examples ?? {})) {
        const validate = validatorOf(m);
        if (!validate(example.value)) throw new Error(`${op.operationId} example ${name}: ${ajv.errorsText(validate.errors)}`);
        checked += 1;
      }
    }
  }
  expect(checked).toBeGreaterThan(40);
});

test('the request body and success of every /v1 operation have an example', () => {
  for (const { path: p, op } of operations().filter(({ path: p }) => p.startsWith('/v1/') || p.startsWith('/api-v1/'))) {
    if (p === '/v1/openapi.json') continue;
    if (op.requestBody) expect(Object.keys(op.requestBody.content['application/json']?.examples ?? {})).not.toHaveLength(0);
    const success = Object.entries(op.responses).find(([status]) => status < '300')?.[1];
    expect([op.operationId, Object.keys(success?.content?.['application/json']?.examples ?? {}).length > 0]).toEqual([op.operationId, true]);
  }
});

test('each documented operation is routed and answers a documented status, body and headers', async () => {
  // Creations first, so that reads can find what they made.
  const ordered = operations().sort((a, b) => Number(b.method === 'post') - Number(a.method === 'post'));
  const made = new Map<string, string>();
  const seen: string[] = [];
  for (const { method, path: p, op } of ordered) {
    const base = p.replace(/\/\{id\}$/, '');
    const url = p.replace('{id}', made.get(base) ?? randomUUID());
    const query = Object.fromEntries((op.parameters ?? []).filter((x) => x.in === 'query' && x.required).map((x) => [x.name, x.schema.enum?.[0] ?? 'x']));
    const headers = Object.fromEntries((op.parameters ?? []).filter((x) => x.in === 'header').map((x) => [x.name, randomUUID()]));
    const body = Object.values(op.requestBody?.content['application/json']?.examples ?? {})[0]?.value;
    const request = (t.http as unknown as Record<string, (u: string) => import('supertest').Test>)[method]!(url).query(query).set(headers);
    const res = body === undefined ? await request : await request.send(body as object);
    const exchange = `${method.toUpperCase()} ${url} → ${res.status} ${JSON.stringify(res.body)}`;

    expect([exchange, JSON.stringify(res.body)]).not.toEqual([exchange, expect.stringContaining('No route for')]);
    const documented = op.responses[String(res.status)];
    if (!documented) throw new Error(`undocumented status: ${exchange}`);
    const media = documented.content?.['application/json'];
    if (media) {
      expect([exchange, res.type]).toEqual([exchange, 'application/json']);
      const validate = validatorOf(media);
      if (!validate(res.body)) throw new Error(`${exchange}: ${ajv.errorsText(validate.errors)}`);
    } else {
      expect([exchange, res.text ?? '']).toEqual([exchange, '']);
    }
    for (const header of Object.keys(documented.headers ?? {})) {
      // Optional ones: only on a replay, on a refusal, or after a challenge.
      if (['Idempotent-Replayed', 'Retry-After', 'WWW-Authenticate'].includes(header)) continue;
      expect([exchange, header, res.get(header)]).toEqual([exchange, header, expect.any(String)]);
    }
    const id = res.status === 201 ? res.get('location')?.split('/').pop() : undefined;
    if (id) for (const at of [base, ...(SAME_RECORD[base] ?? [])]) made.set(at, id);
    seen.push(`${res.status} ${method.toUpperCase()} ${p}`);
  }
  // Creations succeeded, so some reads found what they read.
  expect(seen).toEqual(
    expect.arrayContaining([
      '201 POST /v1/patients',
      '200 GET /v1/patients/{id}',
      '201 POST /v1/physicians',
      '200 GET /v1/physicians/{id}',
      '200 GET /api-v1/clinician-profiles/{id}',
    ]),
  );
});

test('a replayed lab order carries the documented Idempotent-Replayed header', async () => {
  const patientExample = doc.paths['/v1/patients']!.post!.requestBody!.content['application/json']!.examples!.full!.value as object;
  const patient = await t.http
    .post('/v1/patients')
    .send({ ...patientExample, email: `${randomUUID()}@example.com`, external_ids: { crm: randomUUID() } })
    .expect(201);
  const op = doc.paths['/v1/lab-orders']!.post!;
  const example = op.requestBody!.content['application/json']!.examples!.overrides!.value as Record<string, unknown>;
  const order = { ...example, patient_id: patient.body.id };
  const key = randomUUID();
  const first = await t.http.post('/v1/lab-orders').set('idempotency-key', key).send(order);
  expect([first.status, first.body]).toEqual([201, expect.objectContaining({ patient_id: patient.body.id })]);
  expect(first.get('idempotent-replayed')).toBeUndefined();
  const again = await t.http.post('/v1/lab-orders').set('idempotency-key', key).send(order);
  expect(again.status).toBe(201);
  expect(again.body).toEqual(first.body);
  expect(again.get('idempotent-replayed')).toBe('true');
  expect(Object.keys(op.responses['201']!.headers!)).toEqual(expect.arrayContaining(['Idempotent-Replayed', 'Location', 'RateLimit-Remaining']));
  expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'idempotency-key', in: 'header', required: true })]));
});

test('the security schemes are the two ways the server reads credentials', async () => {
  expect((doc.components as Record<string, unknown>).securitySchemes).toEqual({
    bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
  });
  expect((doc as unknown as { security: unknown }).security).toEqual([{ bearer: [] }, { apiKey: [] }]);
  await t.anonymous
    .get('/v1/patients/' + randomUUID())
    .set('x-api-key', t.apiKey)
    .expect(404);
  await t.anonymous
    .get('/v1/patients/' + randomUUID())
    .set('authorization', `Bearer ${t.apiKey}`)
    .expect(404);
  await t.anonymous.get('/v1/patients/' + randomUUID()).expect(401);
});
