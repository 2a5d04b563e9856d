import type { Resource } from '@medplum/fhirtypes';
import type { Knex } from 'knex';
import { coalescedReader } from './coalesced-reads';
import { preparedStatement, runPrepared } from './prepared-query';
import { isoString, type StoredVersion } from './rows';

/** A version row whose content was read as the text of its jsonb (meta included: writes store it inside). */
export interface JsonVersionRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date | string;
  created_at: Date | string;
  deleted: boolean;
  content: string;
}

/** The columns of a `JsonVersionRow`, of the table `alias` names. */
export const jsonVersionColumns = (alias: string): string =>
  ['resource_type', 'id', 'version_id', 'last_updated', 'created_at', 'deleted'].map((c) => `${alias}.${c}`).join(', ') + `, ${alias}.content::text AS content`;

/** A row of a statement that LEFT JOINs versions to some `Extra` columns: a version's columns, or nulls where none joined. */
export type JoinedVersionRow<Extra> = (Extra & JsonVersionRow) | (Extra & { [column in keyof JsonVersionRow]: null });
export const holdsVersion = <Extra>(row: JoinedVersionRow<Extra>): row is Extra & JsonVersionRow => row.id !== null;

const COLUMNS = jsonVersionColumns('v');
const readCurrent = coalescedReader<JsonVersionRow>('fhir_read_current', COLUMNS);
const READ_VERSION = preparedStatement(
  'fhir_read_version',
  `SELECT ${COLUMNS} FROM resource_versions v WHERE tenant_id = ? AND resource_type = ? AND id = ? AND version_id = ?`,
);

/** The current row of one resource, deleted or not. */
export async function readCurrentAsJson(db: Knex, tenantId: string, resourceType: string, id: string): Promise<StoredVersion | undefined> {
  const row = await readCurrent(db, { tenantId, resourceType, id });
  return row && versionOfJsonRow(row);
}

/** One version of one resource, a deletion or not. */
export async function readVersionAsJson(db: Knex, tenantId: string, resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
  const [row] = await runPrepared<JsonVersionRow>(db, READ_VERSION, [tenantId, resourceType, id, versionId]);
  return row && versionOfJsonRow(row);
}

/** Versions whose resource nobody has been handed yet, with the text they were stored as. */
const untouched = new WeakMap<StoredVersion, string>();

/** The resource is parsed only when something asks for it; until then the stored text stands for it. */
export function versionOfJsonRow(row: JsonVersionRow): StoredVersion {
  let resource: Resource | undefined;
  const version: StoredVersion = {
    get resource(): Resource {
      if (resource === undefined) {
        resource = JSON.parse(row.content) as Resource;
        untouched.delete(version);
      }
      return resource;
    },
    set resource(value: Resource) {
      resource = value;
      untouched.delete(version);
    },
    resourceType: row.resource_type,
    id: row.id,
    versionId: String(row.version_id),
    lastUpdated: isoString(row.last_updated),
    createdAt: isoString(row.created_at),
    deleted: row.deleted,
  };
  untouched.set(version, row.content);
  return version;
}

/**
 * The JSON text a version's resource is stored as, to send as is instead of serialising the
 * resource — only while no caller has been handed the resource, which it might have changed.
 */
export function storedJsonOf(version: StoredVersion): string | undefined {
  return untouched.get(version);
}
