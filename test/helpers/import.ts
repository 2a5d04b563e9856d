import type { OperationOutcome, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { FHIR_BASE, type TestApp } from './test-app';

export const NDJSON = 'application/fhir+ndjson';

/** NDJSON of these values; a string is taken as the line itself (malformed lines). */
export const ndjson = (values: unknown[]): string => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');

/** POSTs to `$import`; the report as counts and rejected parts. */
export async function importInto(app: TestApp, body: string, contentType = NDJSON) {
  const res = await app.http.post(`${FHIR_BASE}/$import`).set('content-type', contentType).send(body);
  expect(res.status).toBe(200);
  const params = (res.body as Parameters).parameter ?? [];
  const count = (name: string) => params.find((p) => p.name === name)?.valueInteger;
  const part = (p: ParametersParameter, name: string) => p.part?.find((x) => x.name === name);
  const issueOf = (p: ParametersParameter) => (part(p, 'outcome')?.resource as OperationOutcome | undefined)?.issue[0];
  return {
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    skipped: Object.fromEntries(params.filter((p) => p.name === 'skipped').map((p) => [part(p, 'type')?.valueCode, part(p, 'count')?.valueInteger])),
    rejected: params
      .filter((p) => p.name === 'rejected')
      .map((p) => ({
        line: part(p, 'line')?.valueInteger,
        entry: part(p, 'entry')?.valueInteger,
        expression: issueOf(p)?.expression?.[0],
        code: issueOf(p)?.code,
      })),
  };
}
