import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { markSubmissionFailed } from '../../mappings/lab-orders';
import type { FhirService } from '../fhir/service';
import { throttledLog } from '../log-throttle';
import type { Logger } from '../logger';
import { leaseSubmission, markFailed, markSubmitted, readOutbox, type OutboxRow } from '../store/lab-outbox';
import { JunctionConflictError, JunctionRejectedError, JunctionUnavailableError } from './errors';
import type { JunctionOrder, JunctionOrderRequest, LabGateway } from './gateway';
import { recordJunctionOrder } from './record-order';

export interface SubmitterOptions {
  knex: Knex;
  gateway: LabGateway;
  /** A FhirService acting for a tenant as the system itself (audited, no scopes). */
  systemService(tenantId: string): FhirService;
  logger: Logger;
  /** Attempts before an order is `dead`. */
  maxAttempts?: number;
  /** How long one submission may hold its row. */
  leaseMs?: number;
  /** How often the worker looks for due rows. */
  pollMs?: number;
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * Submits lab orders from the outbox to Junction, each exactly once: a row is leased by one
 * process at a time (`FOR UPDATE SKIP LOCKED`), the ServiceRequest id is Junction's idempotency
 * key, and an attempt whose outcome is unknown (timeout, lost reply) is settled by asking
 * Junction for the order (by its passthrough) before sending again. Failures back off
 * exponentially; after `maxAttempts`, or when Junction refuses the order, the row is `dead`.
 */
export class LabOrderSubmitter {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  /** Submissions this process is making, by `submissionKey`: a client waiting on one awaits it. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  /** A database outage fails every poll: a line a minute says so. */
  private readonly logOutboxFailure: (fields?: object) => void;

  constructor(private readonly options: SubmitterOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.logOutboxFailure = throttledLog(options.logger, 'warn', 'lab order worker could not read the outbox; retrying on the next poll', 60_000);
  }

  /** Polls for due rows until `stop`. */
  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 2_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Works through due rows now (a new order was committed). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /**
   * Submits one order while a client waits, and answers its row once settled: submitted,
   * failed for now (pending, `lastError` set) or dead. When another worker holds the row (or is
   * just taking it), waits — up to `waitMs` — for that attempt's outcome rather than making another:
   * this process's own worker by awaiting its submission, another process's by reading the row again.
   */
  async submitNow(tenantId: string, serviceRequestId: string, waitMs = 30_000): Promise<OutboxRow | undefined> {
    const { knex } = this.options;
    const before = await readOutbox(knex, tenantId, serviceRequestId);
    // Attempts finished before we came; one already under way (leased) is one we wait for.
    const finishedBefore = (before?.attempts ?? 0) - (before?.leased ? 1 : 0);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const settled = await readOutbox(knex, tenantId, serviceRequestId);
      if (!settled || settled.state !== 'pending') return settled;
      if (!settled.leased && settled.attempts > finishedBefore) return settled;
      const row = settled.leased ? undefined : await leaseSubmission(knex, this.leaseMs, { tenantId, serviceRequestId, attempts: settled.attempts });
      if (row) {
        await this.submit(row);
        return readOutbox(knex, tenantId, serviceRequestId);
      }
      const left = deadline - Date.now();
      if (left < 0) return settled;
      const ours = this.inFlight.get(submissionKey(tenantId, serviceRequestId));
      // The timer must not hold the process open once the attempt is over.
      await (ours ? Promise.race([ours, sleep(left, undefined, { ref: false })]) : sleep(Math.min(50, left)));
    }
  }

  private async drain(): Promise<void> {
    try {
      for (let row = await this.lease(); row; row = await this.lease()) await this.submit(row);
    } catch (err) {
      this.logOutboxFailure({ errName: (err as Error)?.name });
    }
  }

  private lease(): Promise<OutboxRow | undefined> {
    return leaseSubmission(this.options.knex, this.leaseMs);
  }

  private async submit(row: OutboxRow): Promise<void> {
    const key = submissionKey(row.tenantId, row.serviceRequestId);
    const submission = this.attempt(row);
    this.inFlight.set(key, submission);
    try {
      await submission;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const { gateway } = this.options;
    try {
      const { userId } = await gateway.ensureUser(row.payload.clientUserId);
      const known = row.outcomeUnknown ? await gateway.findOrderByPassthrough(userId, row.serviceRequestId) : undefined;
      const order = known ?? (await gateway.createOrder({ ...row.payload.order, user_id: userId } as unknown as JunctionOrderRequest, row.serviceRequestId));
      await this.record(row, order);
    } catch (err) {
      await this.fail(row, err);
    }
  }

  private async record(row: OutboxRow, order: JunctionOrder): Promise<void> {
    await recordJunctionOrder(this.options.systemService(row.tenantId), row.serviceRequestId, order, (tx) => markSubmitted(tx.db, row, order.id));
    this.options.logger.info({ tenantId: row.tenantId, serviceRequestId: row.serviceRequestId, attempts: row.attempts }, 'lab order submitted to Junction');
  }

  private async fail(row: OutboxRow, err: unknown): Promise<void> {
    const failure = classify(err);
    const delayMs = backoffMs(row.attempts, this.options.backoff);
    // The order shows its failure before the row is released: whoever waits on the row then reads it.
    if (failure.final || row.attempts >= this.maxAttempts) await this.markDead(row);
    const state = await markFailed(this.options.knex, row, { ...failure, delayMs, maxAttempts: this.maxAttempts });
    this.options.logger.warn(
      { tenantId: row.tenantId, serviceRequestId: row.serviceRequestId, attempts: row.attempts, error: failure.error, state },
      'lab order submission failed',
    );
  }

  /** Shows the operator's problem on the order itself (`GET /v1/lab-orders/{id}`). */
  private async markDead(row: OutboxRow): Promise<void> {
    const service = this.options.systemService(row.tenantId);
    await service.transaction(async (tx) => {
      await tx.lock(`lab-order:${row.serviceRequestId}`);
      const [stored] = await tx.readMany('ServiceRequest', [row.serviceRequestId]);
      if (stored) await tx.update('ServiceRequest', row.serviceRequestId, markSubmissionFailed(stored.resource as never), stored.versionId);
    });
  }
}

/** One order's key among the submissions in flight. */
const submissionKey = (tenantId: string, serviceRequestId: string): string => `${tenantId}/${serviceRequestId}`;

/** Our own error code (never Junction's text), whether the attempt may have reached Junction, and whether retrying can help. */
function classify(err: unknown): { error: string; outcomeUnknown: boolean; final: boolean } {
  if (err instanceof JunctionUnavailableError) return { error: `unavailable_${err.reason}`, outcomeUnknown: err.outcomeUnknown, final: false };
  if (err instanceof JunctionConflictError) return { error: 'in_progress', outcomeUnknown: true, final: false };
  if (err instanceof JunctionRejectedError) return { error: `rejected_${err.status}`, outcomeUnknown: false, final: true };
  return { error: 'internal', outcomeUnknown: true, final: false };
}

/**
 * Capped exponential backoff with "equal jitter": at least half the step, so a failed order
 * is not taken up again at once. https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
function backoffMs(attempts: number, backoff = { initialMs: 1_000, maxMs: 5 * 60_000 }): number {
  const step = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(step / 2 + (Math.random() * step) / 2);
}
