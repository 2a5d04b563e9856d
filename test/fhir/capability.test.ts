import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  OperationOutcomeIssue,
  Patient,
  SearchParameter,
  StructureDefinition,
} from '@medplum/fhirtypes';
import { loadR4Definitions, SUPPORTED_TYPES } from '../../src/fhir/validation/definitions';
import { defaultProfilesDir } from '../../src/fhir/validation/profiles';
import { FHIR_ROUTES } from '../../src/fhir/routes';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
let statement: CapabilityStatement;
beforeAll(async () => {
  t = await startTestApp();
  loadR4Definitions();
  statement = (await t.http.get(`${FHIR_BASE}/metadata`)).body as CapabilityStatement;
});
afterAll(() => t.close());

const resourceEntry = (type: string): CapabilityStatementRestResource | undefined => statement.rest?.[0]?.resource?.find((r) => r.type === type);
const codes = (list: { code?: string }[] | undefined): string[] => (list ?? []).map((i) => i.code ?? '').sort();
const servedBy = (routes: typeof FHIR_ROUTES): string[] =>
  [...new Set(routes.flatMap((r) => [r.interaction, ...(r.alsoServes ?? [])]).filter((i): i is NonNullable<typeof i> => i !== undefined))].sort();

/** medplum throws on errors; the issues make a readable failure. */
function medplumIssues(resource: CapabilityStatement): OperationOutcomeIssue[] {
  try {
    return validateResource(resource);
  } catch (err) {
    if (err instanceof OperationOutcomeError) return err.outcome.issue ?? [];
    throw err;
  }
}

const conformanceFiles = <T>(prefix: string): T[] =>
  readdirSync(defaultProfilesDir())
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(defaultProfilesDir(), f), 'utf8')) as T);

describe('GET /metadata', () => {
  test('answers a CapabilityStatement to a bare GET: no body, no Accept, no credentials', async () => {
    const res = await t.http.get(`${FHIR_BASE}/metadata`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(res.body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' });
  });

  test('is a valid R4 CapabilityStatement', () => {
    expect(medplumIssues(statement).filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
  });

  test('lists exactly the stored types, and the audit trail', () => {
    expect(statement.rest?.[0]?.resource?.map((r) => r.type).sort()).toEqual([...SUPPORTED_TYPES, 'AuditEvent'].sort());
  });

  test('describes the audit trail as a search alone, by exactly the parameters its search takes', async () => {
    const trail = resourceEntry('AuditEvent');
    expect(codes(trail?.interaction)).toEqual(['search-type']);
    expect(trail).toMatchObject({ versioning: 'no-version', readHistory: false, updateCreate: false, conditionalCreate: false, conditionalUpdate: false });
    const values: Record<string, string> = { reference: 'Patient/example', date: 'ge2026-01-01' };
    const params = trail?.searchParam ?? [];
    expect(params.map((p) => p.name).sort()).toEqual(['date', 'entity']);
    for (const param of params) {
      expect(param.definition).toBe(`http://hl7.org/fhir/SearchParameter/AuditEvent-${param.name}`);
      await t.http.get(`${FHIR_BASE}/AuditEvent?${param.name}=${values[param.type ?? '']}`).expect(200);
    }
    const unlisted = await t.http.get(`${FHIR_BASE}/AuditEvent?agent=Device/x`).expect(400);
    expect(unlisted.body.issue[0].expression).toEqual(['agent']);
  });

  test.each([...SUPPORTED_TYPES])('%s lists exactly the type and instance interactions that are routed', (type) => {
    expect(codes(resourceEntry(type)?.interaction)).toEqual(servedBy(FHIR_ROUTES.filter((r) => r.path.startsWith('/:type'))));
  });

  test('lists exactly the system interactions that are routed', () => {
    expect(codes(statement.rest?.[0]?.interaction)).toEqual(servedBy(FHIR_ROUTES.filter((r) => !r.path.startsWith('/:type'))));
  });

  test.each([...SUPPORTED_TYPES])('%s lists the profiles of fhir-profiles/ that constrain it as supportedProfile', (type) => {
    const expected = conformanceFiles<StructureDefinition>('StructureDefinition-')
      .filter((sd) => sd.kind === 'resource' && sd.type === type)
      .map((sd) => sd.url);
    expect([...(resourceEntry(type)?.supportedProfile ?? [])].sort()).toEqual(expected.sort());
  });

  test('every type offers $validate as an operation', () => {
    for (const type of SUPPORTED_TYPES) {
      expect(resourceEntry(type)?.operation).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'validate' })]));
    }
  });

  test('the search parameters of fhir-profiles/ are listed on their types', () => {
    for (const param of conformanceFiles<SearchParameter>('SearchParameter-')) {
      for (const type of param.base ?? []) {
        expect(resourceEntry(type)?.searchParam).toEqual(expect.arrayContaining([expect.objectContaining({ name: param.code, type: param.type })]));
      }
    }
  });
});

describe('POST /{type}/$validate', () => {
  const validate = (type: string, body: unknown) =>
    t.http
      .post(`${FHIR_BASE}/${type}/$validate`)
      .set('content-type', 'application/fhir+json')
      .send(body as object);
  const patient = (): Patient => ({ resourceType: 'Patient', id: randomUUID(), name: [{ family: 'Valid' }], birthDate: '1990-01-31' });
  const parameters = (resource: unknown) => ({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource }] });

  test('a valid resource answers 200 with an informational OperationOutcome, and nothing is stored', async () => {
    const body = patient();
    const res = await validate('Patient', body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'information' }] });
    expect((await t.http.get(`${FHIR_BASE}/Patient/${body.id}`)).status).toBe(404);
  });

  test('an invalid resource answers 422 with the FHIRPath of the problem', async () => {
    const res = await validate('Patient', { ...patient(), birthDate: '31/01/1990' });
    expect(res.status).toBe(422);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? [])).toContain('Patient.birthDate');
  });

  test('a resource that fails a profile it claims answers 422', async () => {
    const profile = conformanceFiles<StructureDefinition>('StructureDefinition-').find((sd) => sd.kind === 'resource' && sd.type === 'Patient');
    const res = await validate('Patient', { ...patient(), meta: { profile: [profile?.url] } });
    expect(res.status).toBe(422);
  });

  test('a Parameters-wrapped valid resource answers 200', async () => {
    const res = await validate('Patient', parameters(patient()));
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  test('a Parameters-wrapped invalid resource answers 422 with the expression', async () => {
    const res = await validate('Patient', parameters({ ...patient(), birthDate: 'yesterday' }));
    expect(res.status).toBe(422);
    expect(res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? [])).toContain('Patient.birthDate');
  });

  test('a resource of another type than the URL answers 400', async () => {
    expect((await validate('Practitioner', patient())).status).toBe(400);
  });
});
