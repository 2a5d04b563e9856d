import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { SYNTHEA_DIR, SYNTHEA_TYPES, asSent, synthea, total } from '../helpers/synthea';
import { importInto, ndjson } from '../helpers/import';
import { tempDir } from '../helpers/temp-dirs';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const NPI = 'http://hl7.org/fhir/sid/us-npi';

describe('the shared Synthea set through $import', () => {
  let app: TestApp;
  const everything = (): string => SYNTHEA_TYPES.map((type) => readFileSync(path.join(SYNTHEA_DIR, `${type}.ndjson`), 'utf8').trim()).join('\n');

  beforeAll(async () => {
    app = await t.otherTenant();
  });

  test('every resource is created, reads back as sent, and searches count the data', async () => {
    const report = await importInto(app, everything());
    expect(report).toEqual({ created: synthea().length, updated: 0, unchanged: 0, skipped: {}, rejected: [] });
    for (const resource of synthea()) {
      expect(asSent((await app.http.get(`${FHIR_BASE}/${resource.resourceType}/${resource.id}`)).body)).toEqual(resource);
    }
    for (const type of SYNTHEA_TYPES) expect(await total(app, type)).toBe(synthea(type).length);
    const [practitioner] = synthea('Practitioner') as { identifier: { system: string; value: string }[] }[];
    const npi = practitioner!.identifier.find((i) => i.system === NPI)!.value;
    const roles = synthea('PractitionerRole').filter((r) => JSON.stringify(r).includes(npi)).length;
    expect(await total(app, `PractitionerRole?practitioner:identifier=${NPI}|${npi}`)).toBe(roles);
  });

  test('importing it again stores nothing new: every resource unchanged, still at version 1', async () => {
    const report = await importInto(app, everything());
    expect(report).toEqual({ created: 0, updated: 0, unchanged: synthea().length, skipped: {}, rejected: [] });
    const [patient] = synthea('Patient');
    expect((await app.http.get(`${FHIR_BASE}/Patient/${patient!.id}`)).body.meta.versionId).toBe('1');
  });
});

test('a mixed file: what cannot be loaded is reported by line, the rest loads', async () => {
  const app = await t.otherTenant();
  const report = await importInto(
    app,
    ndjson([
      { resourceType: 'Patient', id: 'mixed-1', gender: 'female' },
      { resourceType: 'Encounter', id: 'e1', status: 'finished' },
      { resourceType: 'Patient', id: 'mixed-2', birthDate: 'yesterday' },
      '{"resourceType":"Patient",',
      '{"resourceType":"Patient","id":"mixed-3","gender":"male","gender":"female"}',
      '',
      { resourceType: 'Patient', id: 'not/an id' },
      [1, 2],
      { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } },
      { resourceType: 'Patient', id: 'mixed-4', gender: 'male' },
    ]),
  );
  expect(report.created).toBe(2);
  expect(report.skipped).toEqual({ Encounter: 1, Observation: 1 });
  expect(report.rejected).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ line: 3, expression: 'Patient.birthDate' }),
      expect.objectContaining({ line: 4, expression: 'line 4' }),
      expect.objectContaining({ line: 5, expression: 'Patient.gender' }),
      expect.objectContaining({ line: 7, expression: 'Patient.id' }),
      expect.objectContaining({ line: 8, expression: 'resourceType' }),
    ]),
  );
  expect(report.rejected).toHaveLength(5);
  expect(await total(app, 'Patient')).toBe(2);
});

describe('Bundles as Synthea writes them', () => {
  const SYNTHEA_ORG = 'https://github.com/synthetichealth/synthea';
  const [org, patient, encounter] = [randomUUID(), randomUUID(), randomUUID()];
  const bundle = (npi: string, knownNpi: string): Bundle => ({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: `urn:uuid:${org}`,
        resource: { resourceType: 'Organization', id: org, name: 'Clinic', identifier: [{ system: SYNTHEA_ORG, value: org }] },
        request: { method: 'POST', url: 'Organization' },
      },
      {
        fullUrl: `urn:uuid:${patient}`,
        resource: {
          resourceType: 'Patient',
          id: patient,
          managingOrganization: { reference: `urn:uuid:${org}` },
          generalPractitioner: [
            { reference: `Practitioner?identifier=${NPI}|${npi}`, display: 'Dr. Later' },
            { reference: `Practitioner?identifier=${NPI}|${knownNpi}` },
          ],
        },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: `urn:uuid:${encounter}`,
        resource: {
          resourceType: 'Encounter',
          id: encounter,
          status: 'finished',
          class: { code: 'AMB' },
          subject: { reference: `urn:uuid:${patient}` },
        } as Resource,
        request: { method: 'POST', url: 'Encounter' },
      },
    ],
  });

  test('placeholders become Type/id; conditional references name the match, or stay logical until it is loaded', async () => {
    const app = await t.otherTenant();
    const known = await app.http.post(`${FHIR_BASE}/Practitioner`).send({ resourceType: 'Practitioner', identifier: [{ system: NPI, value: '1111111111' }] });
    const report = await importInto(app, JSON.stringify(bundle('2222222222', '1111111111')), 'application/fhir+json');
    expect(report).toEqual({ created: 2, updated: 0, unchanged: 0, skipped: { Encounter: 1 }, rejected: [] });

    const stored = (await app.http.get(`${FHIR_BASE}/Patient/${patient}`)).body;
    expect(stored.managingOrganization).toEqual({ reference: `Organization/${org}` });
    expect(stored.generalPractitioner).toEqual([
      { type: 'Practitioner', identifier: { system: NPI, value: '2222222222' }, display: 'Dr. Later' },
      { reference: `Practitioner/${known.body.id}` },
    ]);

    const later = await importInto(app, ndjson([{ resourceType: 'Practitioner', id: 'dr-later', identifier: [{ system: NPI, value: '2222222222' }] }]));
    expect(later.created).toBe(1);
    expect(await total(app, 'Patient?general-practitioner=Practitioner/dr-later')).toBe(1);
    expect(await total(app, `Patient?general-practitioner=Practitioner/${known.body.id}`)).toBe(1);

    // Loaded again, the reference now names the practitioner loaded since: one new version, then nothing.
    const again = await importInto(app, ndjson([bundle('2222222222', '1111111111')]));
    expect(again).toEqual({ created: 0, updated: 1, unchanged: 1, skipped: { Encounter: 1 }, rejected: [] });
    expect((await app.http.get(`${FHIR_BASE}/Patient/${patient}`)).body.generalPractitioner[0]).toEqual({
      reference: 'Practitioner/dr-later',
      display: 'Dr. Later',
    });
    const third = await importInto(app, ndjson([bundle('2222222222', '1111111111')]));
    expect(third).toEqual({ created: 0, updated: 0, unchanged: 2, skipped: { Encounter: 1 }, rejected: [] });
  });
});

describe('npm run import', () => {
  /** The CLI in one process (no npx wrapper), so that killing it kills the load. */
  const CLI = ['--import', 'tsx', 'src/import-cli.ts'];
  const run = (args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });

  test('loads the Synthea files with progress and a report; a load stopped halfway resumes without duplicates', async () => {
    const app = await t.otherTenant();
    const url = await app.listen();
    const dir = tempDir('import-');
    const files = readdirSync(SYNTHEA_DIR)
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => path.join(SYNTHEA_DIR, f));
    const withBad = path.join(dir, 'bad.ndjson');
    writeFileSync(
      withBad,
      ndjson([
        { resourceType: 'Patient', id: 'cli-bad', birthDate: 'soon' },
        { resourceType: 'Encounter', id: 'e', status: 'planned' },
      ]),
    );
    const env = { FHIR_API_KEY: app.apiKey };

    // A load killed (SIGKILL) partway through, with a chunk possibly in flight.
    const killed = spawn(process.execPath, [...CLI, '--url', url, '--chunk', '3', '--report', path.join(dir, 'killed.ndjson'), ...files], {
      env: { ...process.env, ...env },
    });
    await new Promise<void>((resolve) => {
      let seen = '';
      killed.stderr.on('data', (data: Buffer) => {
        seen += data.toString();
        if (/: 30\/\d+ lines/.test(seen)) killed.kill('SIGKILL');
      });
      killed.on('exit', () => resolve());
    });
    // The chunk in flight when the client died may still commit: count once the server is quiet.
    const stored = async (): Promise<number> => (await Promise.all(SYNTHEA_TYPES.map((type) => total(app, type)))).reduce((a, b) => a + b, 0);
    let loadedBefore = await stored();
    for (let previous = -1; previous !== loadedBefore;) {
      previous = loadedBefore;
      await new Promise((resolve) => setTimeout(resolve, 500));
      loadedBefore = await stored();
    }
    expect(loadedBefore).toBeGreaterThanOrEqual(30);
    expect(loadedBefore).toBeLessThan(synthea().length);

    const report = path.join(dir, 'report.ndjson');
    const all = await run(['--url', url, '--chunk', '50', '--report', report, ...files, withBad], env);
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/bad\.ndjson: \d+\/\d+ lines \(100%\) · \d+ resources\/s · ETA 0 s/);
    const created = synthea().length - loadedBefore;
    expect(all.stdout).toContain(`${synthea().length} loaded (${created} created, 0 updated, ${loadedBefore} unchanged), 1 rejected, 1 skipped (Encounter 1)`);
    const lines = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ file: withBad, line: 1, resource: 'Patient/cli-bad', reason: expect.stringContaining('Patient.birthDate') });
    expect(lines[1].summary).toMatchObject({ created, unchanged: loadedBefore, rejected: 1 });

    // Every resource once, each at its first version: nothing was written twice.
    for (const type of SYNTHEA_TYPES) {
      expect(await total(app, type)).toBe(synthea(type).length);
      expect((await app.http.get(`${FHIR_BASE}/${type}/_history?_count=1000`)).body.total).toBe(synthea(type).length);
    }
  }, 120_000);
});
