import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { allOk } from '../../problems/outcomes';
import type { FhirHandler } from '../request';
import type { ImportLine, ImportReport, RejectedItem } from './import-input';
import { runImport } from './run-import';

/**
 * `POST [base]/$import` — a documented equivalent of bulk import (docs/import.md): NDJSON
 * (`application/fhir+ndjson`, one resource or Bundle per line) or one JSON Bundle; answers a
 * Parameters report of what was created, updated, unchanged, skipped and rejected.
 */
export const importOperation: FhirHandler = async (req, service) => {
  const lines: readonly ImportLine[] = req.lines ?? [{ line: 1, value: req.body }];
  const report = await service.bulkLoad(() => runImport(lines, service));
  return { outcome: allOk(), resource: reportParameters(report) };
};

function reportParameters(report: ImportReport): Parameters {
  const count = (name: string, value: number): ParametersParameter => ({ name, valueInteger: value });
  return {
    resourceType: 'Parameters',
    parameter: [
      count('created', report.created),
      count('updated', report.updated),
      count('unchanged', report.unchanged),
      ...Object.entries(report.skipped).map(([type, n]) => ({ name: 'skipped', part: [{ name: 'type', valueCode: type }, count('count', n)] })),
      count('rejectedCount', report.rejected.length),
      ...report.rejected.map(rejectedParameter),
    ],
  };
}

function rejectedParameter({ source, reference, outcome }: RejectedItem): ParametersParameter {
  const part: ParametersParameter[] = [{ name: 'line', valueInteger: source.line }];
  if (source.entry !== undefined) part.push({ name: 'entry', valueInteger: source.entry });
  if (reference !== undefined) part.push({ name: 'resource', valueString: reference });
  part.push({ name: 'outcome', resource: outcome.resource });
  return { name: 'rejected', part };
}
