import fc from 'fast-check';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { check, exchange, type Exchange } from './exchange';
import { FHIR_TYPES, resourceOf, type FhirType } from './fhir-resources';
import { expectAlive, expectFhirError, expectNo5xx, queryTargets } from './properties';
import { oddName, query, searchValue, written, type Query } from './query-strings';
import { paramName } from './search-params';
import { fuzzParams, timeoutFor } from './settings';

/* Query strings on every FHIR route that reads one: search, history, conditional create and update, AuditEvent. */

let t: TestApp;
/** Stored resources of each type, so that searches find, include and page. */
const stored = new Map<FhirType, string[]>();
beforeAll(async () => {
  t = await startTestApp();
  for (const type of FHIR_TYPES) {
    const ids: string[] = [];
    for (const resource of fc.sample(resourceOf(type), { numRuns: 6, seed: 7 })) {
      const res = await t.http.post(`${FHIR_BASE}/${type}`).send(resource);
      ids.push(res.body.id as string);
    }
    stored.set(type, ids);
  }
});
afterAll(() => t.close());
afterEach(() => expectAlive(t));

const typeAndQuery = fc.oneof(...FHIR_TYPES.map((type) => fc.tuple(fc.constant(type), query(paramName(type), written(searchValue)))));
const lenient = fc.option(fc.constantFrom('handling=lenient', 'handling=strict', 'return=minimal', 'handling=lenient, return=representation'), { freq: 3 });

/** A 2xx of a search or history is a Bundle of that type whose entries are resources this server stores. */
function expectBundle(ex: Exchange, bundleType: 'searchset' | 'history'): void {
  const body = ex.body as { resourceType?: string; type?: string; total?: unknown; entry?: { resource?: { resourceType?: string } }[] };
  check(body?.resourceType === 'Bundle' && body.type === bundleType, `a 2xx must be a ${bundleType} Bundle`, ex);
  check(body.total === undefined || (Number.isSafeInteger(body.total) && (body.total as number) >= 0), 'total must be a non-negative integer', ex);
  const types: readonly string[] = [...FHIR_TYPES, 'OperationOutcome', 'AuditEvent'];
  check(
    (body.entry ?? []).every((e) => e.resource === undefined || types.includes(e.resource.resourceType ?? '')),
    'every entry must hold a stored type',
    ex,
  );
}

/** Properties 1 and 3 for a read with a query: no 5xx; a 2xx is the Bundle; a 4xx is an OperationOutcome naming a parameter. */
function expectQueryOutcome(ex: Exchange, q: Query, bundleType: 'searchset' | 'history'): void {
  expectNo5xx(ex);
  if (ex.status < 300) expectBundle(ex, bundleType);
  else expectFhirError(ex, queryTargets(q));
}

test(
  'search (GET, GET _search, POST _search): never a 5xx; a 2xx is a searchset; a 4xx names a parameter',
  async () => {
    await fc.assert(
      fc.asyncProperty(typeAndQuery, fc.constantFrom('get', 'get _search', 'post _search'), lenient, async ([type, q], how, prefer) => {
        const headers: Record<string, string> = prefer === null ? {} : { prefer };
        const ex =
          how === 'post _search'
            ? await exchange(t.http, {
                method: 'post',
                path: `${FHIR_BASE}/${type}/_search`,
                contentType: 'application/x-www-form-urlencoded',
                headers,
                body: q.text,
              })
            : await exchange(t.http, { method: 'get', path: `${FHIR_BASE}/${type}${how === 'get' ? '' : '/_search'}?${q.text}`, headers });
        expectQueryOutcome(ex, q, 'searchset');
      }),
      fuzzParams(4),
    );
  },
  timeoutFor(4),
);

const historyQuery = query(written(fc.oneof(fc.constantFrom('_count', '_offset', '_since', '_at', '_list', '_sort'), oddName)), written(searchValue));

test(
  'history (type and instance): never a 5xx; a 2xx is a history Bundle; a 4xx names a parameter',
  async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FHIR_TYPES), fc.boolean(), historyQuery, async (type, instance, q) => {
        const id = (stored.get(type) ?? [])[0] as string;
        const ex = await exchange(t.http, { method: 'get', path: `${FHIR_BASE}/${type}${instance ? `/${id}` : ''}/_history?${q.text}` });
        expectQueryOutcome(ex, q, 'history');
      }),
      fuzzParams(),
    );
  },
  timeoutFor(),
);

test(
  'conditional create (If-None-Exist) and conditional update (PUT ?criteria): never a 5xx; a 4xx names a parameter',
  async () => {
    const arb = fc.oneof(...FHIR_TYPES.map((type) => fc.tuple(fc.constant(type), resourceOf(type), query(paramName(type), written(searchValue)))));
    await fc.assert(
      fc.asyncProperty(arb, fc.boolean(), async ([type, resource, q], create) => {
        const ex = create
          ? await exchange(t.http, {
              method: 'post',
              path: `${FHIR_BASE}/${type}`,
              contentType: 'application/fhir+json',
              headers: { 'if-none-exist': q.text },
              body: JSON.stringify(resource),
            })
          : await exchange(t.http, {
              method: 'put',
              path: `${FHIR_BASE}/${type}?${q.text}`,
              contentType: 'application/fhir+json',
              body: JSON.stringify(resource),
            });
        expectNo5xx(ex);
        if (ex.status < 300) check((ex.body as { resourceType?: string })?.resourceType === type, `a 2xx must answer the ${type}`, ex);
        else expectFhirError(ex, [...queryTargets(q), 'id']);
      }),
      fuzzParams(2),
    );
  },
  timeoutFor(2),
);

const auditQuery = query(written(fc.oneof(fc.constantFrom('entity', 'date', '_count', '_offset', 'agent', 'patient', '_id'), oddName)), written(searchValue));

test(
  'AuditEvent search: never a 5xx; a 2xx is a searchset; a 4xx names a parameter',
  async () => {
    await fc.assert(
      fc.asyncProperty(auditQuery, async (q) => {
        const ex = await exchange(t.http, { method: 'get', path: `${FHIR_BASE}/AuditEvent?${q.text}` });
        expectQueryOutcome(ex, q, 'searchset');
      }),
      fuzzParams(),
    );
  },
  timeoutFor(),
);
