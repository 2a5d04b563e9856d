import type { Db } from '../../store/db';
import { appendChunk, completeExport, startType, type LeasedJob } from '../../store/bulk-exports';
import type { ExportPageQuery } from '../../store/repository';
import type { StoredVersion } from '../../store/rows';
import type { FhirService } from '../service';
import { searchParamOf } from '../search/params';
import { PATIENT_COMPARTMENT } from './patient-compartment';

/** How a run ended: done, asked to stop (shutdown), or no longer its to write (cancelled or taken over). */
export type RunEnd = 'completed' | 'stopped' | 'lost';

export interface RunOptions {
  db: Db;
  /** Resources read, and written as one chunk, at a time: what bounds a run's memory. */
  pageSize: number;
  /** Asked between pages. */
  stopping(): boolean;
}

/**
 * Runs an export from its cursor to the end: each type in turn, a page of current resources at
 * a time (keyset-paged through the FhirService, so scopes and audit apply), each page
 * stored as one NDJSON chunk together with the cursor after it. A resumed run continues
 * exactly where the last stored chunk ended.
 */
export async function runExport({ job, lease }: LeasedJob, service: FhirService, options: RunOptions): Promise<RunEnd> {
  const { db, pageSize } = options;
  for (let typeIndex = job.typeIndex; typeIndex < job.types.length; typeIndex++) {
    const resourceType = job.types[typeIndex] as string;
    if (typeIndex !== job.typeIndex && !(await startType(db, job, lease, typeIndex))) return 'lost';
    let after = typeIndex === job.typeIndex ? job.after : undefined;
    for (;;) {
      if (options.stopping()) return 'stopped';
      const page = await service.exportPage(
        resourceType,
        pageQuery(job.level, resourceType, { after, since: job.since, until: job.transactionTime, limit: pageSize }),
      );
      if (page.length === 0) break;
      const last = page[page.length - 1] as StoredVersion;
      after = { id: last.resource.id as string, lastUpdated: last.lastUpdated };
      const ndjson = page.map((version) => `${JSON.stringify(version.resource)}\n`).join('');
      if (!(await appendChunk(db, job, lease, { resourceType, lineCount: page.length, ndjson, after }))) return 'lost';
      if (page.length < pageSize) break;
    }
  }
  return (await completeExport(db, job, lease)) ? 'completed' : 'lost';
}

/** At Patient level, a type other than Patient is read only where it joins a patient's compartment. */
function pageQuery(level: LeasedJob['job']['level'], resourceType: string, query: ExportPageQuery): ExportPageQuery {
  const membership = PATIENT_COMPARTMENT[resourceType];
  if (level !== 'patient' || membership === undefined || membership === 'self') return query;
  const codes = membership.flatMap((code) => searchParamOf(resourceType, code)?.rowCodes ?? [code]);
  return { ...query, referencing: { codes, targetType: 'Patient' } };
}
