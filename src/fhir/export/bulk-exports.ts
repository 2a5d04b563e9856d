import { randomUUID } from 'node:crypto';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { throttledLog } from '../../log-throttle';
import { errorLogFields, type Logger } from '../../logger';
import { fail, outcome } from '../../problems/outcomes';
import {
  claimAbandoned,
  createExport,
  deleteExport,
  failExport,
  nextChunk,
  outputFiles,
  purgeFinishedExports,
  readExport,
  releaseExport,
  type ExportJob,
  type LeasedJob,
} from '../../store/bulk-exports';
import type { Db } from '../../store/db';
import type { FhirService } from '../service';
import { typesToExport, type ExportLevel } from './export-types';
import { parseKickOff, type KickOffInput } from './kick-off-parameters';
import { manifestOf, type Manifest } from './manifest';
import { runExport } from './run-export';
import { isUuid } from '../../uuid-text';

/** Who asked for an export, as the caller's hooks need it again when a run resumes elsewhere. */
export interface ExportOwner {
  /** How the caller authenticated (`api-key`, `jwt`) and its key id or token subject. */
  via: string;
  id: string;
  /** The caller's scopes at kick-off. */
  scopes: string[];
  requestId: string;
}

export interface BulkExportSettings {
  /** Resources per page read and per stored chunk. */
  pageSize: number;
  /** How long a run holds its job without writing before another process may take it over. */
  leaseMs: number;
  /** How long a finished export's manifest and files are kept. */
  retentionMs: number;
  /** Exports a tenant may have running at once; more is a 429. */
  maxRunningPerTenant: number;
}

export interface BulkExportDeps {
  db: Db;
  /** The FhirService acting for the export's owner: its scopes and audit agent. */
  serviceFor(tenantId: string, owner: ExportOwner): FhirService;
  logger: Logger;
  settings: BulkExportSettings;
}

export interface KickOffRequest extends KickOffInput {
  level: ExportLevel;
  /** The kick-off URL as sent (the manifest's `request`). */
  url: string;
}

export type ExportStatus =
  { state: 'in-progress'; progress: string } | { state: 'completed'; manifest: Manifest; expires: Date } | { state: 'failed'; outcome: OperationOutcome };

/**
 * FHIR Bulk Data `$export` (https://hl7.org/fhir/uv/bulkdata/export.html, docs/bulk-export.md):
 * kick-off, status, cancellation and output files, with the job and its output in the
 * database. The process that takes a kick-off runs it in the background; any process answers
 * polls and downloads; a run whose process died is resumed by whichever process sweeps first.
 */
export class BulkExports {
  private readonly runs = new Set<Promise<void>>();
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private readonly logSweepFailure: (fields?: object) => void;

  constructor(private readonly deps: BulkExportDeps) {
    this.logSweepFailure = throttledLog(deps.logger, 'warn', 'bulk export sweep failed; retrying on the next one', 60_000);
  }

  /** Checks a kick-off, stores the job and starts it; answers its id. */
  async kickOff(request: KickOffRequest, caller: FhirService, owner: ExportOwner): Promise<string> {
    const parameters = parseKickOff(request);
    const types = await typesToExport(request.level, parameters.types, caller);
    const job: ExportJob = {
      tenantId: caller.tenantId,
      id: randomUUID(),
      state: 'in-progress',
      level: request.level,
      types,
      since: parameters.since,
      transactionTime: new Date().toISOString(),
      requestUrl: request.url,
      owner,
      typeIndex: 0,
      exported: 0,
    };
    const { settings } = this.deps;
    const lease = await createExport(this.deps.db, job, settings.leaseMs, settings.maxRunningPerTenant);
    if (!lease)
      fail(outcome('tooManyRequests', `This tenant already has ${settings.maxRunningPerTenant} exports running; wait for one to finish or cancel one`));
    this.run({ job, lease });
    return job.id;
  }

  /** Where a tenant's export stands; undefined when the tenant has no such export. */
  async status(tenantId: string, id: string, baseUrl: string): Promise<ExportStatus | undefined> {
    const job = await this.find(tenantId, id);
    if (!job) return undefined;
    if (job.state === 'failed') return { state: 'failed', outcome: job.error as OperationOutcome };
    if (job.state === 'in-progress') return { state: 'in-progress', progress: progressOf(job) };
    const files = await outputFiles(this.deps.db, job);
    const expires = new Date(new Date(job.finishedAt as string).getTime() + this.deps.settings.retentionMs);
    return { state: 'completed', manifest: manifestOf(job, files, baseUrl), expires };
  }

  /** Cancels a running export or deletes a finished one with its files; false when the tenant has no such export. */
  async cancel(tenantId: string, id: string): Promise<boolean> {
    return isUuid(id) && deleteExport(this.deps.db, tenantId, id);
  }

  /**
   * The NDJSON of one output file, chunk by chunk (never the whole file in memory); undefined
   * when the export is not the tenant's, not completed, or has no file of that type.
   */
  async file(tenantId: string, id: string, resourceType: string): Promise<AsyncIterable<string> | undefined> {
    const job = await this.find(tenantId, id);
    if (job?.state !== 'completed' || !(await nextChunk(this.deps.db, job, resourceType, 0))) return undefined;
    const { db } = this.deps;
    return (async function* () {
      for (let chunk = await nextChunk(db, job, resourceType, 0); chunk; chunk = await nextChunk(db, job, resourceType, chunk.chunkNo)) yield chunk.ndjson;
    })();
  }

  /** Resumes abandoned exports and forgets expired ones now, then every half lease. */
  start(): void {
    this.sweep();
    this.timer = setInterval(() => this.sweep(), Math.max(1000, this.deps.settings.leaseMs / 2));
    this.timer.unref();
  }

  /** Stops sweeping; runs stop after their current page and release their jobs for the next start to resume. */
  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.all([...this.runs]);
  }

  private async find(tenantId: string, id: string): Promise<ExportJob | undefined> {
    return isUuid(id) ? readExport(this.deps.db, tenantId, id) : undefined;
  }

  private sweep(): void {
    if (this.sweeping || this.stopping) return;
    this.sweeping = (async () => {
      const { db, settings } = this.deps;
      try {
        await purgeFinishedExports(db, settings.retentionMs);
        for (let claimed = await claimAbandoned(db, settings.leaseMs); claimed && !this.stopping; claimed = await claimAbandoned(db, settings.leaseMs)) {
          this.deps.logger.info({ exportId: claimed.job.id, tenantId: claimed.job.tenantId }, 'bulk export resumed');
          this.run(claimed);
        }
      } catch (err) {
        this.logSweepFailure(errorLogFields(err));
      }
    })().finally(() => {
      this.sweeping = undefined;
    });
  }

  private run(leased: LeasedJob): void {
    const { db, logger, settings } = this.deps;
    const { job, lease } = leased;
    const service = this.deps.serviceFor(job.tenantId, job.owner as ExportOwner);
    const running = runExport(leased, service, { db, pageSize: settings.pageSize, stopping: () => this.stopping })
      .then(async (end) => {
        if (end === 'stopped') await releaseExport(db, job, lease);
        logger.info({ exportId: job.id, tenantId: job.tenantId, end }, 'bulk export run ended');
      })
      .catch(async (err: unknown) => {
        logger.error({ exportId: job.id, tenantId: job.tenantId, ...errorLogFields(err) }, 'bulk export failed');
        const failure = outcome('serverError', 'The export failed; start a new one').resource;
        // When even this cannot be written, the lease runs out and another run resumes the export.
        await failExport(db, job, lease, failure).catch(() => undefined);
      })
      .finally(() => this.runs.delete(running));
    this.runs.add(running);
  }
}

function progressOf(job: ExportJob): string {
  const type = job.types[job.typeIndex] ?? job.types[job.types.length - 1];
  return `${job.exported} resources exported; now ${type} (type ${Math.min(job.typeIndex + 1, job.types.length)} of ${job.types.length})`;
}
