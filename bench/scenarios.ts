import {
  birthDateOf,
  createEntry,
  familyOf,
  MRN_SYSTEM,
  organization,
  location,
  practitioner,
  practitionerRole,
  serviceRequest,
  syntheaLikePatient,
  writtenPatient,
} from './fixtures';
import type { LoadSpec, RequestSpec } from './load/spec';
import { sandboxWebhooksDelivered } from './sandbox';
import { practitionerFamilyOf, seedMrn, type SeedData } from './seed';
import type { Target } from './target';

const FHIR = '/fhir/R4';
/** How many distinct values a rotating scenario cycles through. */
const ROTATION = 200;
/** The panels of `POST /v1/lab-orders` (seed 001). */
const LAB_PANELS = ['hashimotos', 'pcos', 'fertility'];

export interface ScenarioContext {
  seed: SeedData;
  apiKey: string;
  connections: number;
  mixConnections: number;
  /** The Junction sandbox process the server places lab orders with. */
  junctionSandboxUrl: string;
}

/** The scenarios against the server, in the order they are measured within a round. */
export function serverScenarios(ctx: ScenarioContext): Target[] {
  const { seed } = ctx;
  const spec = (requests: RequestSpec[], extra: Partial<LoadSpec> = {}): LoadSpec => ({
    requests,
    headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    ...extra,
  });
  const target = (name: string, s: LoadSpec, more: Partial<Target> = {}): Target => ({
    name,
    group: 'server',
    service: 'server',
    spec: s,
    connections: ctx.connections,
    ...more,
  });
  const rotate = <T>(values: readonly T[], n = ROTATION): T[] => Array.from({ length: Math.min(n, values.length) }, (_, k) => values[k] as T);
  const indexes = rotate(Array.from({ length: seed.patients }, (_, i) => i));
  const get = (path: string): RequestSpec => ({ method: 'GET', path: `${FHIR}${path}` });
  const readPool = rotate(seed.patientIds);
  // Updates and history touch the last seeded Patients, reads the first ones.
  const updatePool = seed.patientIds.slice(-Math.min(ROTATION, seed.patientIds.length));
  const updateIndexOf = (k: number): number => seed.patientIds.length - updatePool.length + k;
  const newPatient = (mrn: string): string => JSON.stringify(writtenPatient(mrn, 7));
  // The MRN stays as it is: encoded, an `@SEQ@` in it would never be filled in, and every request would send the same criteria.
  const mrnQuery = (mrn: string): string => `identifier=${encodeURIComponent(`${MRN_SYSTEM}|`)}${mrn}`;

  const reads = spec(readPool.map((id) => get(`/Patient/${id}`)));
  return [
    target('read Patient', reads),
    target('read Patient (LOG_LEVEL=warn)', reads, { service: 'server-quiet-log' }),
    target('read Patient without the door', reads, { service: 'server-without-door', group: 'baseline' }),
    target('read Patient through authentication, rate limit and log only', reads, { service: 'server-with-goal-door', group: 'baseline' }),
    target('create Patient', spec([{ method: 'POST', path: `${FHIR}/Patient`, body: newPatient('create-@SEQ@') }])),
    target(
      'update Patient',
      spec(
        updatePool.map((id, k) => {
          const i = updateIndexOf(k);
          const body = { ...syntheaLikePatient(seedMrn(i), i), id, address: [{ line: ['Apt @SEQ@'], city: 'Boston', state: 'MA', country: 'US' }] };
          return { method: 'PUT', path: `${FHIR}/Patient/${id}`, body: JSON.stringify(body) };
        }),
      ),
    ),
    target(
      'conditional create Patient (no match)',
      spec([{ method: 'POST', path: `${FHIR}/Patient`, body: newPatient('cond-@SEQ@'), headers: { 'if-none-exist': mrnQuery('cond-@SEQ@') } }]),
    ),
    target('history Patient', spec(updatePool.map((id) => get(`/Patient/${id}/_history`)))),
    target('search token (identifier)', spec(indexes.map((i) => get(`/Patient?${mrnQuery(seedMrn(i))}`)))),
    target('search string prefix (family)', spec(indexes.map((i) => get(`/Patient?family=${familyOf(i).slice(0, -1)}&_count=20`)))),
    target('search date range (birthdate)', spec(indexes.map((i) => get(`/Patient?${birthMonthQuery(birthDateOf(i))}&_count=20`)))),
    target('search reference (ServiceRequest?subject)', spec(readPool.map((id) => get(`/ServiceRequest?subject=Patient/${id}`)))),
    target('search chained (ServiceRequest?subject.family)', spec(indexes.map((i) => get(`/ServiceRequest?subject.family=${familyOf(i)}&_count=20`)))),
    target(
      'search _include (ServiceRequest + subject, requester)',
      spec(readPool.map((id) => get(`/ServiceRequest?subject=Patient/${id}&_include=ServiceRequest:subject&_include=ServiceRequest:requester`))),
    ),
    target('CRUD mix (6 types)', spec(crudCreates(seed), { crudChains: true }), { connections: ctx.mixConnections }),
    target('transaction Bundle ingest (20 resources)', spec([{ method: 'POST', path: FHIR, body: JSON.stringify(ingestBundle(seed)) }]), {
      resourcesPerRequest: 20,
      // A loader keeps a few Bundles in flight; sixteen 20-resource Bundles at once only queue.
      connections: Math.min(4, ctx.connections),
    }),
    target('batch Bundle ingest (20 Patients)', spec([{ method: 'POST', path: FHIR, body: JSON.stringify(batchBundle()) }]), {
      resourcesPerRequest: 20,
      connections: Math.min(4, ctx.connections),
    }),
    target(
      'POST /v1/patients',
      spec([
        {
          method: 'POST',
          path: '/v1/patients',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            brand_id: 'bench',
            first_name: 'Ava',
            last_name: 'Kuhn',
            date_of_birth: '1980-04-02',
            gender: 'female',
            email: 'ava.@SEQ@@example.com',
            phone: '+15555550100',
            external_ids: { ehr: 'ehr-@SEQ@' },
          }),
        },
      ]),
    ),
    target(
      'POST /v1/lab-orders (Junction sandbox)',
      spec(
        seed.labPatientIds.map((patientId, k) => ({
          method: 'POST',
          path: '/v1/lab-orders',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': 'bench-@SEQ@' },
          body: JSON.stringify({ brand_id: 'bench', patient_id: patientId, panel_id: LAB_PANELS[k % LAB_PANELS.length] }),
        })),
      ),
      { settle: () => sandboxWebhooksDelivered(ctx.junctionSandboxUrl) },
    ),
    target(
      'GET /v1/clinician-profiles?search=',
      spec(
        rotate(
          Array.from({ length: seed.practitioners }, (_, i) => ({
            method: 'GET' as const,
            path: `/v1/clinician-profiles?search=${practitionerFamilyOf(i)}`,
            headers: { accept: 'application/json' },
          })),
        ),
      ),
    ),
  ];
}

/** `birthdate` within the calendar month of `date` (YYYY-MM-DD): a window with both ends. */
export function birthMonthQuery(date: string): string {
  const [year, month] = date.split('-').map(Number) as [number, number];
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return `birthdate=ge${date.slice(0, 7)}-01&birthdate=lt${next}-01`;
}

/** One create per type; the chain then reads, updates and deletes what was created. */
function crudCreates(seed: SeedData): RequestSpec[] {
  const org = `Organization/${seed.organizationIds[0]}`;
  const resources = [
    organization(900),
    location(900, org),
    practitioner(900, 'Mixford'),
    practitionerRole(`Practitioner/${seed.practitionerIds[0]}`, org, `Location/${seed.locationIds[0]}`),
    writtenPatient('mix-@SEQ@', 3),
    serviceRequest(`Patient/${seed.patientIds[0]}`, `Practitioner/${seed.practitionerIds[0]}`),
  ];
  return resources.map((r) => ({ method: 'POST', path: `${FHIR}/${String(r.resourceType)}`, body: JSON.stringify(r) }));
}

/** Twenty Patients as independent entries: a batch resolves no reference between its entries. */
function batchBundle(): Record<string, unknown> {
  const entries = Array.from({ length: 20 }, (_, k) => createEntry(writtenPatient(`batch-@SEQ@-${k}`, k)));
  return { resourceType: 'Bundle', type: 'batch', entry: entries };
}

/** Ten Patients, each with an order that points at it by its temporary `urn:uuid:` name. */
function ingestBundle(seed: SeedData): Record<string, unknown> {
  const requester = `Practitioner/${seed.practitionerIds[0]}`;
  const entries = Array.from({ length: 10 }, (_, k) => {
    const url = `urn:uuid:00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
    return [createEntry(writtenPatient(`ingest-@SEQ@-${k}`, k), url), createEntry(serviceRequest(url, requester))];
  }).flat();
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
