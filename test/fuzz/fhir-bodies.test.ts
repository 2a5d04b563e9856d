import fc from 'fast-check';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { check, exchange, type Exchange } from './exchange';
import { anyResource, FHIR_TYPES, resourceOf, type FhirType } from './fhir-resources';
import { tryParse } from './json-text';
import { mutate, mutationArb } from './mutations';
import { expectAlive, expectBodyRules, expectFhirError, expectFhirReadBack, expectNo5xx, FHIR_JSON } from './properties';
import { fuzzParams, timeoutFor } from './settings';

/* Resource bodies on create, update and $validate: valid ones are stored as sent, mutated ones never break the server. */

let t: TestApp;
/** One stored resource per type, for updates. */
const existing = new Map<FhirType, string>();
beforeAll(async () => {
  t = await startTestApp();
  for (const type of FHIR_TYPES) {
    const body =
      type === 'ServiceRequest' ? { resourceType: type, status: 'draft', intent: 'order', subject: { reference: 'Patient/p' } } : { resourceType: type };
    const res = await t.http.post(`${FHIR_BASE}/${type}`).send(body);
    existing.set(type, res.body.id as string);
  }
});
afterAll(() => t.close());
afterEach(() => expectAlive(t));

const CONTENT_TYPES = [
  ...['application/fhir+json', 'application/json', 'application/fhir+json; charset=utf-8', 'application/json;charset=UTF-8'].flatMap((type) => [
    type,
    type,
    type,
  ]),
  'application/fhir+json; charset=latin1',
  'application/fhir+xml',
  'text/plain',
  'application/x-www-form-urlencoded',
];

/** Properties 1–3 for a write: no 5xx; the body-wide rules; a 2xx reads back as sent, a 4xx names the element. */
async function expectWriteOutcome(ex: Exchange, type: FhirType, targets: string[]): Promise<void> {
  expectNo5xx(ex);
  const sent = tryParse(ex.sent.body);
  expectBodyRules(ex, sent, FHIR_JSON);
  if (ex.status < 300) await expectFhirReadBack(t, ex, type, sent);
  else expectFhirError(ex, targets);
}

test(
  'a valid resource of each type is created (201) and reads back as sent',
  async () => {
    await fc.assert(
      fc.asyncProperty(anyResource, async ({ type, resource }) => {
        const ex = await exchange(t.http, {
          method: 'post',
          path: `${FHIR_BASE}/${type}`,
          contentType: 'application/fhir+json',
          body: JSON.stringify(resource),
        });
        check(ex.status === 201, 'a valid resource must be created', ex);
        await expectFhirReadBack(t, ex, type, resource);
      }),
      fuzzParams(),
    );
  },
  timeoutFor(),
);

test(
  'create with one mutation: never a 5xx; a 2xx reads back as sent; a 4xx names the element',
  async () => {
    await fc.assert(
      fc.asyncProperty(anyResource, mutationArb, fc.constantFrom(...CONTENT_TYPES), async ({ type, resource }, mutation, contentType) => {
        const { text, targets } = mutate(resource, mutation);
        const ex = await exchange(t.http, { method: 'post', path: `${FHIR_BASE}/${type}`, contentType, body: text });
        await expectWriteOutcome(ex, type, targets);
      }),
      fuzzParams(2),
    );
  },
  timeoutFor(2),
);

test(
  'update with one mutation: never a 5xx; a 2xx reads back as sent; a 4xx names the element',
  async () => {
    const arb = fc.oneof(...FHIR_TYPES.map((type) => resourceOf(type).map((resource) => ({ type, resource }))));
    await fc.assert(
      fc.asyncProperty(arb, mutationArb, async ({ type, resource }, mutation) => {
        const id = existing.get(type) as string;
        const { text, targets } = mutate({ ...resource, id }, mutation);
        const ex = await exchange(t.http, { method: 'put', path: `${FHIR_BASE}/${type}/${id}`, contentType: 'application/fhir+json', body: text });
        await expectWriteOutcome(ex, type, targets);
      }),
      fuzzParams(),
    );
  },
  timeoutFor(),
);

test(
  '$validate with one mutation: never a 5xx, always an OperationOutcome',
  async () => {
    await fc.assert(
      fc.asyncProperty(anyResource, mutationArb, async ({ type, resource }, mutation) => {
        const { text } = mutate(resource, mutation);
        const ex = await exchange(t.http, { method: 'post', path: `${FHIR_BASE}/${type}/$validate`, contentType: 'application/fhir+json', body: text });
        expectNo5xx(ex);
        expectBodyRules(ex, tryParse(text), FHIR_JSON);
        if (ex.status >= 400) expectFhirError(ex, []);
        else check((ex.body as { resourceType?: string })?.resourceType === 'OperationOutcome', '$validate must answer an OperationOutcome', ex);
      }),
      fuzzParams(),
    );
  },
  timeoutFor(),
);
