import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ExportCursor } from './repository';
import { isoString } from './rows';

/** A Bulk Data export job as stored (migrations/013_bulk_exports.ts, 014_export_cursor_time.ts). */
export interface ExportJob {
  tenantId: string;
  id: string;
  state: 'in-progress' | 'completed' | 'failed';
  level: 'system' | 'patient';
  types: string[];
  since?: string;
  transactionTime: string;
  requestUrl: string;
  /** Opaque to the store: who asked, as the layer above records it. */
  owner: unknown;
  /** The cursor: `types[typeIndex]` is being exported, after `after`. */
  typeIndex: number;
  after?: ExportCursor;
  exported: number;
  error?: unknown;
  finishedAt?: string;
}

export type NewExport = Pick<ExportJob, 'tenantId' | 'id' | 'level' | 'types' | 'since' | 'transactionTime' | 'requestUrl' | 'owner'>;

/** The right of one run to write a job: its token, renewed for `ms` at each write. */
export interface Lease {
  token: string;
  ms: number;
}

/** The job and the lease a run holds on it. */
export interface LeasedJob {
  job: ExportJob;
  lease: Lease;
}

export interface OutputFile {
  resourceType: string;
  count: number;
}

interface JobRow {
  tenant_id: string;
  id: string;
  state: ExportJob['state'];
  level: ExportJob['level'];
  types: string[];
  since: Date | string | null;
  transaction_time: Date | string;
  request_url: string;
  owner: unknown;
  type_index: number;
  after_id: string | null;
  after_last_updated: Date | string | null;
  exported: string | number;
  error: unknown;
  finished_at: Date | string | null;
}

const leaseUntil = (db: Knex, ms: number) => db.raw("now() + ? * interval '1 millisecond'", [ms]);

function toJob(row: JobRow): ExportJob {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    state: row.state,
    level: row.level,
    types: row.types,
    since: row.since === null ? undefined : isoString(row.since),
    transactionTime: isoString(row.transaction_time),
    requestUrl: row.request_url,
    owner: row.owner,
    typeIndex: row.type_index,
    after: row.after_id === null ? undefined : { id: row.after_id, lastUpdated: isoString(row.after_last_updated ?? row.transaction_time) },
    exported: Number(row.exported),
    error: row.error ?? undefined,
    finishedAt: row.finished_at === null ? undefined : isoString(row.finished_at),
  };
}

/**
 * Creates a job leased to the caller's run, unless the tenant already has `maxInProgress`
 * exports running (counted under a per-tenant lock, so concurrent kick-offs cannot both pass).
 */
export async function createExport(db: Knex, job: NewExport, leaseMs: number, maxInProgress: number): Promise<Lease | undefined> {
  return db.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`bulk-export/${job.tenantId}`]);
    const [{ count }] = (await trx('bulk_exports').where({ tenant_id: job.tenantId, state: 'in-progress' }).count({ count: '*' })) as [
      { count: string | number },
    ];
    if (Number(count) >= maxInProgress) return undefined;
    const lease = { token: randomUUID(), ms: leaseMs };
    await trx('bulk_exports').insert({
      tenant_id: job.tenantId,
      id: job.id,
      state: 'in-progress',
      level: job.level,
      types: job.types,
      since: job.since ?? null,
      transaction_time: job.transactionTime,
      request_url: job.requestUrl,
      owner: JSON.stringify(job.owner),
      lease_token: lease.token,
      leased_until: leaseUntil(trx, leaseMs),
    });
    return lease;
  });
}

/** A tenant's job, or nothing when it does not exist in that tenant. */
export async function readExport(db: Knex, tenantId: string, id: string): Promise<ExportJob | undefined> {
  const row: JobRow | undefined = await db('bulk_exports').where({ tenant_id: tenantId, id }).first();
  return row && toJob(row);
}

/** Renews the lease and moves the job on, if the run still holds it; false when it was cancelled or taken over. */
async function advance(db: Knex, job: ExportJob, lease: Lease, changes: Record<string, unknown>): Promise<number | undefined> {
  const rows: { chunks: number }[] = await db('bulk_exports')
    .where({ tenant_id: job.tenantId, id: job.id, state: 'in-progress', lease_token: lease.token })
    .update({ ...changes, leased_until: leaseUntil(db, lease.ms) })
    .returning('chunks');
  return rows[0]?.chunks;
}

/**
 * Stores one chunk of NDJSON and the cursor after it in one transaction, so a resumed run
 * neither repeats nor skips a line. False when the run no longer holds the job.
 */
export async function appendChunk(
  db: Knex,
  job: ExportJob,
  lease: Lease,
  chunk: { resourceType: string; lineCount: number; ndjson: string; after: ExportCursor },
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const chunkNo = await advance(trx, job, lease, {
      after_id: chunk.after.id,
      after_last_updated: chunk.after.lastUpdated,
      chunks: trx.raw('chunks + 1'),
      exported: trx.raw('exported + ?', [chunk.lineCount]),
    });
    if (chunkNo === undefined) return false;
    await trx('bulk_export_chunks').insert({
      tenant_id: job.tenantId,
      export_id: job.id,
      resource_type: chunk.resourceType,
      chunk_no: chunkNo,
      line_count: chunk.lineCount,
      ndjson: chunk.ndjson,
    });
    return true;
  });
}

/** The next type begins. */
export async function startType(db: Knex, job: ExportJob, lease: Lease, typeIndex: number): Promise<boolean> {
  return (await advance(db, job, lease, { type_index: typeIndex, after_id: null, after_last_updated: null })) !== undefined;
}

export async function completeExport(db: Knex, job: ExportJob, lease: Lease): Promise<boolean> {
  return (await advance(db, job, lease, { state: 'completed', finished_at: db.fn.now(), lease_token: null })) !== undefined;
}

export async function failExport(db: Knex, job: ExportJob, lease: Lease, error: unknown): Promise<boolean> {
  return (await advance(db, job, lease, { state: 'failed', error: JSON.stringify(error), finished_at: db.fn.now(), lease_token: null })) !== undefined;
}

/** Gives the job up (a clean shutdown): any process may resume it at once. */
export async function releaseExport(db: Knex, job: ExportJob, lease: Lease): Promise<void> {
  await db('bulk_exports').where({ tenant_id: job.tenantId, id: job.id, state: 'in-progress', lease_token: lease.token }).update({ leased_until: null });
}

/** Takes over one running job whose lease ran out or was released (its run stopped), of any tenant. */
export async function claimAbandoned(db: Knex, leaseMs: number): Promise<LeasedJob | undefined> {
  return db.transaction(async (trx) => {
    const row: JobRow | undefined = await trx('bulk_exports')
      .where({ state: 'in-progress' })
      .andWhere((w) => w.whereNull('leased_until').orWhere('leased_until', '<', trx.fn.now()))
      .orderBy('created_at')
      .first()
      .forUpdate()
      .skipLocked();
    if (!row) return undefined;
    const lease = { token: randomUUID(), ms: leaseMs };
    await trx('bulk_exports')
      .where({ tenant_id: row.tenant_id, id: row.id })
      .update({ lease_token: lease.token, leased_until: leaseUntil(trx, leaseMs) });
    return { job: toJob(row), lease };
  });
}

/** Cancels or forgets a job and its output; false when the tenant has no such job. */
export async function deleteExport(db: Knex, tenantId: string, id: string): Promise<boolean> {
  // The deleted rows, not a count: the PGlite client answers no row count.
  return (await db('bulk_exports').where({ tenant_id: tenantId, id }).delete().returning('id')).length > 0;
}

/** Finished jobs (and their output) older than the retention. */
export async function purgeFinishedExports(db: Knex, retentionMs: number): Promise<void> {
  await db('bulk_exports')
    .where('finished_at', '<', db.raw("now() - ? * interval '1 millisecond'", [retentionMs]))
    .delete();
}

/** The job's output files: one per type that has lines, in the job's type order. */
export async function outputFiles(db: Knex, job: ExportJob): Promise<OutputFile[]> {
  const rows: { resource_type: string; count: string | number }[] = await db('bulk_export_chunks')
    .select('resource_type')
    .sum({ count: 'line_count' })
    .where({ tenant_id: job.tenantId, export_id: job.id })
    .groupBy('resource_type');
  const counts = new Map(rows.map((r) => [r.resource_type, Number(r.count)]));
  return job.types.filter((type) => counts.has(type)).map((type) => ({ resourceType: type, count: counts.get(type) as number }));
}

/** The chunk of a type's file after `afterChunkNo`, in order: a file is read one chunk at a time. */
export async function nextChunk(
  db: Knex,
  job: ExportJob,
  resourceType: string,
  afterChunkNo: number,
): Promise<{ chunkNo: number; ndjson: string } | undefined> {
  const row: { chunk_no: number; ndjson: string } | undefined = await db('bulk_export_chunks')
    .select('chunk_no', 'ndjson')
    .where({ tenant_id: job.tenantId, export_id: job.id, resource_type: resourceType })
    .andWhere('chunk_no', '>', afterChunkNo)
    .orderBy('chunk_no')
    .first();
  return row && { chunkNo: row.chunk_no, ndjson: row.ndjson };
}
