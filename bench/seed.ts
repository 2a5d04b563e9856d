import { randomUUID } from 'node:crypto';
import { createEntry, location, orderablePatient, organization, practitioner, practitionerRole, serviceRequest, syntheaLikePatient } from './fixtures';

/** What the searches and the CRUD mix need to know about the seeded data. */
export interface SeedData {
  patientIds: string[];
  practitionerIds: string[];
  organizationIds: string[];
  locationIds: string[];
  /** Patients a lab order can be placed for (`orderablePatient`). */
  labPatientIds: string[];
  /** Seeded Patient `i` has MRN `seedMrn(i)`. */
  patients: number;
  practitioners: number;
}

export const seedMrn = (i: number): string => `seed-${i}`;
/** Practitioner families: a dozen surnames, each with a few numbered variants (Kuhnford3). */
export const practitionerFamilyOf = (i: number): string => `${['Kuhn', 'Schmitt', 'Ortiz', 'Nguyen', 'Okafor', 'Larsen'][i % 6]}ford${Math.floor(i / 6)}`;

const BUNDLE_SIZE = 100;
const LAB_PATIENTS = 20;

/**
 * Loads the linked data the searches run over through transaction Bundles, as a client would:
 * Organizations and Locations, a Practitioner with a PractitionerRole per 20 Patients, and
 * every Patient with one ServiceRequest ordered by one of the Practitioners; and a few Patients
 * the lab orders are placed for.
 */
export async function seed(fhirBase: string, apiKey: string, patients: number): Promise<SeedData> {
  const post = (entries: Record<string, unknown>[]): Promise<string[]> => postTransaction(fhirBase, apiKey, entries);
  const orgUrls = [0, 1, 2, 3, 4].map(() => `urn:uuid:${randomUUID()}`);
  const sites = await post([...orgUrls.map((url, i) => createEntry(organization(i), url)), ...orgUrls.map((url, i) => createEntry(location(i, url)))]);
  const organizationIds = sites.slice(0, 5);
  const locationIds = sites.slice(5);

  const practitioners = Math.max(3, Math.ceil(patients / 20));
  const practitionerIds: string[] = [];
  for (let start = 0; start < practitioners; start += BUNDLE_SIZE / 2) {
    const entries = range(start, Math.min(practitioners, start + BUNDLE_SIZE / 2)).flatMap((i) => {
      const url = `urn:uuid:${randomUUID()}`;
      const org = `Organization/${organizationIds[i % 5]}`;
      return [createEntry(practitioner(i, practitionerFamilyOf(i)), url), createEntry(practitionerRole(url, org, `Location/${locationIds[i % 5]}`))];
    });
    practitionerIds.push(...(await post(entries)).filter((_, k) => k % 2 === 0));
  }

  const batches: Array<Promise<string[]>> = [];
  for (let start = 0; start < patients; start += BUNDLE_SIZE / 2) {
    const entries = range(start, Math.min(patients, start + BUNDLE_SIZE / 2)).flatMap((i) => {
      const url = `urn:uuid:${randomUUID()}`;
      return [createEntry(syntheaLikePatient(seedMrn(i), i), url), createEntry(serviceRequest(url, `Practitioner/${practitionerIds[i % practitioners]}`))];
    });
    batches.push(post(entries).then((ids) => ids.filter((_, k) => k % 2 === 0)));
    // Two bundles in flight: a client loading data, not a load test.
    if (batches.length % 2 === 0) await batches[batches.length - 1];
  }
  const patientIds = (await Promise.all(batches)).flat();
  const labPatientIds = await post(range(0, LAB_PATIENTS).map((i) => createEntry(orderablePatient(i))));
  return { patientIds, practitionerIds, organizationIds, locationIds, labPatientIds, patients, practitioners };
}

/** Posts a transaction Bundle and returns the ids it created, in entry order. */
async function postTransaction(fhirBase: string, apiKey: string, entries: Record<string, unknown>[]): Promise<string[]> {
  const res = await fetch(fhirBase, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: entries }),
  });
  const body = (await res.json()) as { entry?: Array<{ response?: { location?: string } }> };
  if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
  return (body.entry ?? []).map((e) => /[A-Za-z]+\/([^/]+)\/_history/.exec(e.response?.location ?? '')?.[1] ?? '');
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}
