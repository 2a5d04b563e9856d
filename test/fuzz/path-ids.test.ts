import fc from 'fast-check';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { check, exchange, type Exchange } from './exchange';
import { FHIR_TYPES } from './fhir-resources';
import { NUMBER_TEXTS, oddString } from './odd-values';
import { expectAlive, expectFhirError, expectNo5xx, expectV1Error, type V1Family } from './properties';
import { percentEncode, written } from './query-strings';
import { fuzzParams, timeoutFor } from './settings';

/* Ids and version ids in paths: FHIR read, vread, history, update, patch, delete; /v1 reads. */

let t: TestApp;
/** A stored resource of each type (two versions), so that real ids are among the generated ones. */
const stored = new Map<string, string>();
beforeAll(async () => {
  t = await startTestApp();
  for (const type of FHIR_TYPES) {
    const body =
      type === 'ServiceRequest' ? { resourceType: type, status: 'draft', intent: 'order', subject: { reference: 'Patient/p' } } : { resourceType: type };
    const id = (await t.http.post(`${FHIR_BASE}/${type}`).send(body)).body.id as string;
    await t.http.put(`${FHIR_BASE}/${type}/${id}`).send({ ...body, id });
    stored.set(type, id);
  }
});
afterAll(() => t.close());
afterEach(() => expectAlive(t));

/** Path segments: real and valid-looking ids, numbers of every size, odd text, raw bytes no encoder writes. */
const segment = (real: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...real) },
    fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/),
    fc.constantFrom(
      ...NUMBER_TEXTS,
      '-1',
      '01',
      '1.5',
      ' 1',
      '2147483649',
      '99999999999999999999',
      'a'.repeat(64),
      'a'.repeat(65),
      '..',
      '.',
      '%2F',
      '%2E%2E',
      '%00',
      '%zz',
      '%',
      '_history',
      '$validate',
      '_search',
    ),
    fc.oneof(fc.constantFrom(...real), fc.stringMatching(/^[a-z0-9]{1,8}$/)).map((id) => `${id}%00`),
    written(oddString.filter((s) => s.length < 3000)),
  );

const typeSegment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FHIR_TYPES) },
  fc.constantFrom('patient', 'Observation', 'Bundle', 'AuditEvent', 'Resource', '__proto__', 'constructor', 'metadata'),
);

type Interaction = 'read' | 'vread' | 'history' | 'update' | 'patch' | 'delete';
const interaction = fc.constantFrom<Interaction>('read', 'vread', 'vread', 'history', 'update', 'patch', 'delete');

/** A request for an interaction on `/{type}/{id}[/_history[/{vid}]]`. */
function requestFor(interaction: Interaction, type: string, id: string, vid: string): Parameters<typeof exchange>[1] {
  const base = `${FHIR_BASE}/${type}/${id}`;
  switch (interaction) {
    case 'read':
      return { method: 'get', path: base };
    case 'vread':
      return { method: 'get', path: `${base}/_history/${vid}` };
    case 'history':
      return { method: 'get', path: `${base}/_history` };
    case 'update':
      return { method: 'put', path: base, contentType: 'application/fhir+json', body: JSON.stringify({ resourceType: type, id: decodeOr(id) }) };
    case 'patch':
      return { method: 'patch', path: base, contentType: 'application/json-patch+json', body: '[{"op":"add","path":"/active","value":true}]' };
    case 'delete':
      return { method: 'delete', path: base };
  }
}

function decodeOr(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Whether a path segment is valid percent-encoded UTF-8: one that is not is a 400 about the URL, which names no element. */
function decodable(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** https://hl7.org/fhir/R4/datatypes.html#id */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** A 2xx read names the resource asked for. */
function expectRead(ex: Exchange, type: string, id: string): void {
  const body = ex.body as { resourceType?: string; id?: string; type?: string };
  if (ex.sent.method !== 'get') return;
  // `/{type}/_search` and `/{type}/_history` are the type-level routes, not ids; `/{type}/` is the type's search.
  if (['_search', '_history', ''].includes(id) && !/\/_history\/?$/.test(ex.sent.path))
    check(body?.resourceType === 'Bundle', `${id} must answer a Bundle`, ex);
  else if (/\/_history\/?$/.test(ex.sent.path)) check(body?.resourceType === 'Bundle' && body.type === 'history', 'a 2xx history must be a history Bundle', ex);
  else check(body?.resourceType === type && body.id === decodeOr(id), `a 2xx read must be ${type}/${decodeOr(id)}`, ex);
}

test(
  'FHIR ids and version ids: never a 5xx; a 2xx is the resource asked for; a 4xx is an OperationOutcome naming the id',
  async () => {
    const real = [...stored.values()];
    await fc.assert(
      fc.asyncProperty(interaction, typeSegment, segment(real), segment(['1', '2', '3']), async (interaction, type, id, vid) => {
        const ex = await exchange(t.http, requestFor(interaction, type, id, vid));
        expectNo5xx(ex);
        const decoded = decodeOr(id);
        if ((FHIR_TYPES as readonly string[]).includes(type) && !['', '_search', '_history'].includes(decoded) && !FHIR_ID.test(decoded)) {
          check(ex.status >= 400, `${JSON.stringify(decoded)} is not a FHIR id: no interaction on it may succeed`, ex);
        }
        if (ex.status < 300) expectRead(ex, type, id);
        else expectFhirError(ex, decodable(id) && (interaction !== 'vread' || decodable(vid)) ? ['id', 'resourceType', type] : []);
      }),
      fuzzParams(4),
    );
  },
  timeoutFor(4),
);

const V1_READS: [V1Family, string][] = [
  ['patients', '/v1/patients'],
  ['physicians', '/v1/physicians'],
  ['lab-orders', '/v1/lab-orders'],
  ['practitioner-roles', '/v1/practitioner-roles'],
  ['clinician-profiles', '/v1/clinician-profiles'],
  ['clinician-profiles', '/api-v1/clinician-profiles'],
];

test(
  '/v1 ids: never a 5xx; a 4xx has the family’s documented error shape and names the id',
  async () => {
    const real = [...stored.values(), percentEncode('00000000-0000-4000-8000-000000000000')];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...V1_READS), segment(real), async ([family, path], id) => {
        const ex = await exchange(t.http, { method: 'get', path: `${path}/${id}` });
        expectNo5xx(ex);
        if (ex.status >= 400) expectV1Error(ex, family, decodable(id) ? ['id'] : []);
        else check(ex.status === 200, 'a 2xx read must be a 200', ex);
      }),
      fuzzParams(2),
    );
  },
  timeoutFor(2),
);

test(
  'requests with odd ids never cost the audit trail the events batched with them',
  async () => {
    const type = 'Practitioner';
    const id = (await t.http.post(`${FHIR_BASE}/${type}`).send({ resourceType: type })).body.id as string;
    const eventsAbout = async (): Promise<number> => (await t.http.get(`${FHIR_BASE}/AuditEvent?entity=${type}/${id}&_count=0`)).body.total as number;
    const before = await eventsAbout();
    const odd: string[] = [];
    await fc.assert(
      fc.asyncProperty(interaction, typeSegment, segment([...stored.values()]), segment(['1', '2']), async (what, oddType, oddId, vid) => {
        const ex = await exchange(t.http, requestFor(what, oddType, oddId, vid));
        expectNo5xx(ex);
        odd.push(`${ex.sent.method.toUpperCase()} ${ex.sent.path}`);
        expect((await t.http.get(`${FHIR_BASE}/${type}/${id}`)).status).toBe(200);
      }),
      fuzzParams(),
    );
    const reads = odd.length;
    // Events are written in batches within half a second.
    let after = await eventsAbout();
    for (let waited = 0; after < before + reads && waited < 5_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await eventsAbout();
    }
    if (after < before + reads)
      throw new Error(`${before + reads - after} of ${reads} reads of ${type}/${id} left no AuditEvent; the odd requests sent with them:\n${odd.join('\n')}`);
  },
  timeoutFor(),
);
