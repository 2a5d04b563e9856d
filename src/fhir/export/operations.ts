import type { ExportLevel } from './export-types';

/** An `$export` kick-off endpoint: where it is routed and how /metadata advertises it. */
export interface ExportOperation {
  level: ExportLevel;
  /** Express path below the FHIR base. */
  path: string;
  /** The resource type it is invoked on; none for system level. */
  type?: string;
  definition: string;
}

const IG = 'http://hl7.org/fhir/uv/bulkdata';

/** The one table of export endpoints: the HTTP layer mounts these, /metadata lists them. */
export const EXPORT_OPERATIONS: readonly ExportOperation[] = [
  { level: 'system', path: '/\\$export', definition: `${IG}/OperationDefinition/export` },
  { level: 'patient', path: '/Patient/\\$export', type: 'Patient', definition: `${IG}/OperationDefinition/patient-export` },
];

/** The CapabilityStatement a Bulk Data server instantiates. */
export const BULK_DATA_CAPABILITY = `${IG}/CapabilityStatement/bulk-data`;
