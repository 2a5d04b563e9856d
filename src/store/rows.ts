import type { Resource } from '@medplum/fhirtypes';

/** A row of `resources` or `resource_versions`. */
export interface VersionRow {
  tenant_id: string;
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date | string;
  created_at: Date | string;
  deleted: boolean;
  content: Resource;
}

/** What a new version takes from the current one it replaces (its content is not needed). */
export type CurrentVersion = Pick<VersionRow, 'version_id' | 'last_updated' | 'created_at' | 'deleted'>;

/** One version as the FHIR layer sees it. */
export interface StoredVersion {
  /** The resource's type and id, known without reading the resource itself. */
  resourceType: string;
  id: string;
  resource: Resource;
  versionId: string;
  lastUpdated: string;
  /** When version 1 was written (the /v1 `created_at`). */
  createdAt: string;
  deleted: boolean;
}

export function toStoredVersion(row: VersionRow): StoredVersion {
  return {
    resourceType: row.resource_type,
    id: row.id,
    resource: row.content,
    versionId: String(row.version_id),
    lastUpdated: isoString(row.last_updated),
    createdAt: isoString(row.created_at),
    deleted: row.deleted,
  };
}

/** A timestamp column as an ISO string, whichever form the driver answered in. */
export function isoString(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
