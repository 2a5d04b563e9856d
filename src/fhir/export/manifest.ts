import type { ExportJob, OutputFile } from '../../store/bulk-exports';

/** The complete-status body. https://hl7.org/fhir/uv/bulkdata/export.html#response---complete-status */
export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: true;
  output: { type: string; url: string; count: number }[];
  error: { type: 'OperationOutcome'; url: string }[];
}

/** Where a job's status is polled, relative to the FHIR base. */
export const statusPath = (id: string): string => `/bulk-export/${id}`;

/** Where one output file of a job is downloaded: one file per type. */
export const filePath = (id: string, resourceType: string): string => `${statusPath(id)}/${resourceType}.ndjson`;

/** Output files need the same credentials as the kick-off; resources are never reported as errors, only whole failures. */
export function manifestOf(job: ExportJob, files: readonly OutputFile[], baseUrl: string): Manifest {
  return {
    transactionTime: job.transactionTime,
    request: job.requestUrl,
    requiresAccessToken: true,
    output: files.map((f) => ({ type: f.resourceType, url: `${baseUrl}${filePath(job.id, f.resourceType)}`, count: f.count })),
    error: [],
  };
}
