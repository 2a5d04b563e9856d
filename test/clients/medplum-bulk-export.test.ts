import { MedplumClient } from '@medplum/core';
import type { BulkDataExport, Resource } from '@medplum/fhirtypes';
import { importSynthea, idsOf } from '../helpers/bulk-export';
import { synthea } from '../helpers/synthea';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let medplum: MedplumClient;
beforeAll(async () => {
  t = await startTestApp();
  await importSynthea(t);
  // MedplumClient as an integrator uses it: the listening server, the FHIR base, an API key as bearer token.
  medplum = new MedplumClient({ baseUrl: await t.listen(), fhirUrlPath: 'fhir/R4', fetch: globalThis.fetch });
  medplum.setAccessToken(t.apiKey);
});
afterAll(() => t.close());

/** An output file through the client, one resource per line. */
async function lines(url: string): Promise<Resource[]> {
  const text = await (await medplum.download(url)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Resource);
}

test('bulkExport() kicks off a system export, polls it to the manifest, and every file downloads', async () => {
  const manifest = (await medplum.bulkExport('', undefined, undefined, { pollStatusOnAccepted: true, pollStatusPeriod: 50 })) as BulkDataExport;
  expect(manifest).toMatchObject({ requiresAccessToken: true, error: [] });
  const types = ['Organization', 'Location', 'Practitioner', 'PractitionerRole', 'Patient'] as const;
  expect(manifest.output?.map((o) => o.type).sort()).toEqual([...types].sort());
  for (const type of types) {
    const file = manifest.output?.find((o) => o.type === type);
    const resources = await lines(file?.url as string);
    expect(idsOf(resources)).toEqual(idsOf(synthea(type)));
    const first = resources[0] as Resource;
    expect(first).toEqual(await medplum.readResource(type, first.id as string));
  }
});

test('bulkExport("Patient", types, since) runs a Patient level export with _type and _since', async () => {
  const since = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const patient = await medplum.createResource({ resourceType: 'Patient', name: [{ family: 'Medplum-Export' }] });
  const manifest = (await medplum.bulkExport('Patient', 'Patient', since, { pollStatusOnAccepted: true, pollStatusPeriod: 50 })) as BulkDataExport;
  expect(manifest.output).toEqual([expect.objectContaining({ type: 'Patient', count: 1 })]);
  expect(await lines(manifest.output?.[0]?.url as string)).toEqual([patient]);
});
