import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '../../src/http/json-guard';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { check, exchange, type Exchange, type Sent } from './exchange';
import { resourceOf } from './fhir-resources';
import { nestingLevels, tryParse } from './json-text';
import { nested } from './odd-values';
import {
  BODY_LIMIT_BYTES,
  expectAlive,
  expectBodyRules,
  expectFhirError,
  expectFhirReadBack,
  expectNo5xx,
  expectV1Error,
  FHIR_JSON,
  V1_JSON,
  type V1Family,
} from './properties';
import { fuzzParams, timeoutFor } from './settings';
import { patientBody } from './v1-requests';

/* Body text at the edges: not JSON at all, just over (or at) the size limit, nested right around the depth limit. */

let t: TestApp;
let patientId: string;
beforeAll(async () => {
  t = await startTestApp();
  patientId = (await t.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient' })).body.id as string;
});
afterAll(() => t.close());
afterEach(() => expectAlive(t));

interface Endpoint {
  /** undefined for FHIR. */
  family?: V1Family;
  sent(body: string): Sent;
}

const ENDPOINTS: Endpoint[] = [
  { sent: (body) => ({ method: 'post', path: `${FHIR_BASE}/Patient`, contentType: 'application/fhir+json', body }) },
  { sent: (body) => ({ method: 'post', path: FHIR_BASE, contentType: 'application/fhir+json', body }) },
  { sent: (body) => ({ method: 'patch', path: `${FHIR_BASE}/Patient/${patientId}`, contentType: 'application/json-patch+json', body }) },
  { family: 'patients', sent: (body) => ({ method: 'post', path: '/v1/patients', contentType: 'application/json', body }) },
  { family: 'physicians', sent: (body) => ({ method: 'post', path: '/v1/physicians', contentType: 'application/json', body }) },
  { family: 'practitioner-roles', sent: (body) => ({ method: 'post', path: '/v1/practitioner-roles', contentType: 'application/json', body }) },
  {
    family: 'lab-orders',
    sent: (body) => ({ method: 'post', path: '/v1/lab-orders', contentType: 'application/json', headers: { 'idempotency-key': 'fuzz' }, body }),
  },
];

/** Ways to break JSON text at a position. */
const CORRUPTIONS = ['{', '}', '[', ']', ',', ':', '"', '\\', '\u0000', '\u0001', "'", 'NaN', 'Infinity', 'undefined', '//', '/*', '\ufeff', ' ', '\n'];

const corruptedText: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        resourceOf('Patient').map((r) => JSON.stringify(r)),
        patientBody.map((b) => JSON.stringify(b)),
      ),
      fc.nat(),
      fc.constantFrom('truncate', 'insert', 'delete', 'bom', 'trailing'),
      fc.constantFrom(...CORRUPTIONS),
    )
    .map(([text, at, how, piece]) => {
      const i = at % (text.length + 1);
      switch (how) {
        case 'truncate':
          return text.slice(0, i);
        case 'insert':
          return text.slice(0, i) + piece + text.slice(i);
        case 'delete':
          return text.slice(0, i) + text.slice(i + 1);
        case 'bom':
          return `\ufeff${text}`;
        default:
          return `${text}${piece}`;
      }
    }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '"x"',
    '[]',
    '{}',
    '{"a":1,}',
    "{'a':1}",
    '{"a":NaN}',
    '{"a":01}',
    '{"a":1}{"b":2}',
    '\ufeff{}',
    '{"a":"\\x41"}',
  ),
);

/** Express's JSON parser reads the text as JSON.parse does, after dropping a UTF-8 byte order mark. */
const isJson = (text: string): boolean => tryParse(text.replace(/^\ufeff/, '')) !== undefined || /^\ufeff?\s*null\s*$/.test(text);

function expectError(ex: Exchange, endpoint: Endpoint): void {
  if (endpoint.family) expectV1Error(ex, endpoint.family, []);
  else expectFhirError(ex, []);
}

test(
  'text that is not JSON is a 400 in the family’s error shape, never a 5xx',
  async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), corruptedText, async (endpoint, text) => {
        const ex = await exchange(t.http, endpoint.sent(text));
        expectNo5xx(ex);
        if (!isJson(text)) check(ex.status === 400, 'a body that is not JSON must be a 400', ex);
        if (ex.status >= 400) expectError(ex, endpoint);
      }),
      fuzzParams(2),
    );
  },
  timeoutFor(2),
);

/** `body` with `field` padded so that the whole text is `limit + delta` bytes. */
function padded(body: Record<string, unknown>, field: (pad: string) => Record<string, unknown>, piece: string, delta: number): string {
  const bare = JSON.stringify({ ...body, ...field('') });
  const room = BODY_LIMIT_BYTES + delta - Buffer.byteLength(bare);
  const whole = piece.repeat(Math.floor(room / Buffer.byteLength(piece)));
  return JSON.stringify({ ...body, ...field(whole + 'a'.repeat(room - Buffer.byteLength(whole))) });
}

test(
  'a body right at the size limit is read, one byte over it is a 413',
  async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.integer({ min: -64, max: 64 }), fc.constantFrom('a', 'é', '😀'), async (fhir, delta, piece) => {
        const text = fhir
          ? padded({ resourceType: 'Patient' }, (pad) => ({ name: [{ family: `Long${pad}` }] }), piece, delta)
          : padded({ brand_id: `brand-${delta}-${piece}`, first_name: 'Ada', last_name: 'Lovelace' }, (pad) => ({ metadata: { pad } }), piece, delta);
        expect(Buffer.byteLength(text)).toBe(BODY_LIMIT_BYTES + delta);
        const ex = fhir
          ? await exchange(t.http, { method: 'post', path: `${FHIR_BASE}/Patient`, contentType: 'application/fhir+json', body: text })
          : await exchange(t.http, { method: 'post', path: '/v1/patients', contentType: 'application/json', body: text });
        expectNo5xx(ex);
        expectBodyRules(ex, tryParse(text), fhir ? FHIR_JSON : V1_JSON);
        if (delta <= 0 && fhir) await expectFhirReadBack(t, ex, 'Patient', tryParse(text));
        if (delta <= 0 && !fhir) check(ex.status === 201, 'a valid /v1 body within the limit must be created', ex);
      }),
      fuzzParams(0.4),
    );
  },
  timeoutFor(0.4),
);

test(
  `JSON nested up to ${MAX_JSON_DEPTH} levels is read, deeper is a 400 naming where`,
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.integer({ min: MAX_JSON_DEPTH - 6, max: MAX_JSON_DEPTH + 6 }),
        fc.constantFrom('array' as const, 'object' as const),
        async (fhir, depth, as) => {
          // The body itself and `metadata` / `extension[0]` are two or three of the levels.
          const text = fhir
            ? `{"resourceType":"Patient","extension":[{"url":"http://example.org/deep","valueString":"x","deep":${nested(depth - 3, as, '1')}}]}`
            : `{"brand_id":"brand-deep-${depth}-${as}","first_name":"Ada","last_name":"Lovelace","metadata":{"deep":${nested(depth - 2, as, '1')}}}`;
          const value = tryParse(text);
          const ex = fhir
            ? await exchange(t.http, { method: 'post', path: `${FHIR_BASE}/Patient`, contentType: 'application/fhir+json', body: text })
            : await exchange(t.http, { method: 'post', path: '/v1/patients', contentType: 'application/json', body: text });
          expectNo5xx(ex);
          expectBodyRules(ex, value, fhir ? FHIR_JSON : V1_JSON);
          if (nestingLevels(value) > MAX_JSON_DEPTH) {
            if (fhir) expectFhirError(ex, ['extension']);
            else expectV1Error(ex, 'patients', ['metadata']);
          } else if (fhir) expectFhirError(ex, ['deep']);
          else check(ex.status === 201, `metadata nested within ${MAX_JSON_DEPTH} levels must be stored`, ex);
        },
      ),
      fuzzParams(),
    );
  },
  timeoutFor(),
);
