import fc from 'fast-check';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { check, exchange } from './exchange';
import { bundle, patchDocument } from './fhir-documents';
import { anyResource } from './fhir-resources';
import { toText, tryParse } from './json-text';
import { mutate, mutationArb } from './mutations';
import { expectAlive, expectBodyRules, expectFhirError, expectNo5xx, FHIR_JSON, sameJson } from './properties';
import { fuzzParams, timeoutFor } from './settings';

/* Bodies that are not one resource: JSON Patch documents, and transaction / batch Bundles. */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
afterEach(() => expectAlive(t));

const ifMatch = fc.oneof(
  fc.constantFrom('W/"1"', '"1"', 'W/"2"', '*', 'W/"99999999999999999999"', 'W/""', ''),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
);
const withoutMeta = (value: unknown): unknown => {
  const { meta: _meta, ...rest } = value as Record<string, unknown>;
  return rest;
};

test(
  'JSON Patch: never a 5xx; a 2xx is the new version and reads back; a 4xx is an OperationOutcome',
  async () => {
    await fc.assert(
      fc.asyncProperty(anyResource, patchDocument, fc.option(ifMatch, { freq: 3 }), async ({ type, resource }, document, version) => {
        const created = await t.http.post(`${FHIR_BASE}/${type}`).send(resource);
        expect(created.status).toBe(201);
        const text = toText(document);
        const ex = await exchange(t.http, {
          method: 'patch',
          path: `${FHIR_BASE}/${type}/${created.body.id}`,
          contentType: 'application/json-patch+json',
          headers: version === null ? {} : { 'if-match': version.replace(/[^\t\x20-\x7e]/g, '') },
          body: text,
        });
        expectNo5xx(ex);
        expectBodyRules(ex, tryParse(text), FHIR_JSON);
        if (ex.status >= 300) {
          expectFhirError(ex, []);
          return;
        }
        const patched = ex.body as { id?: string; meta?: { versionId?: string } };
        check(patched?.id === created.body.id && patched.meta?.versionId === '2', 'a patched resource must be version 2 of the same id', ex);
        const read = await t.http.get(`${FHIR_BASE}/${type}/${created.body.id}`);
        check(read.status === 200 && sameJson(withoutMeta(read.body), withoutMeta(patched)), 'the patched resource must read back as answered', ex);
      }),
      fuzzParams(),
    );
  },
  timeoutFor(),
);

test(
  'transaction and batch Bundles, mutated or not: never a 5xx; a 2xx answers every entry; a 4xx names the element',
  async () => {
    await fc.assert(
      fc.asyncProperty(bundle, fc.option(mutationArb, { freq: 4 }), async (sent, mutation) => {
        const { text, targets } = mutation === null ? { text: JSON.stringify(sent), targets: [] } : mutate(sent, mutation);
        const ex = await exchange(t.http, { method: 'post', path: FHIR_BASE, contentType: 'application/fhir+json', body: text });
        expectNo5xx(ex);
        expectBodyRules(ex, tryParse(text), FHIR_JSON);
        if (ex.status >= 300) {
          expectFhirError(ex, targets);
          return;
        }
        const answer = ex.body as { resourceType?: string; type?: string; entry?: { response?: { status?: unknown } }[] };
        const asked = tryParse(text) as { type?: string; entry?: unknown[] };
        check(answer?.resourceType === 'Bundle' && answer.type === `${asked.type}-response`, 'a 2xx must be the matching response Bundle', ex);
        check((answer.entry ?? []).length === (asked.entry ?? []).length, 'a response Bundle must answer every entry', ex);
        check(
          (answer.entry ?? []).every((e) => typeof e.response?.status === 'string' && /^\d{3}/.test(e.response.status)),
          'every response entry must have a status',
          ex,
        );
      }),
      fuzzParams(2),
    );
  },
  timeoutFor(2),
);
