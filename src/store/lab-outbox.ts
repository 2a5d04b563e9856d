import type { Knex } from 'knex';

export interface OutboxRow {
  tenantId: string;
  serviceRequestId: string;
  state: 'pending' | 'submitted' | 'dead';
  attempts: number;
  outcomeUnknown: boolean;
  lastError: string | null;
  junctionOrderId: string | null;
  /** Whether a worker holds the row right now. */
  leased: boolean;
  /** The order body to send, without `user_id`, and the client user id to resolve it from. */
  payload: { clientUserId: string; order: Record<string, unknown> };
}

const fromRow = (r: Record<string, unknown>): OutboxRow => ({
  tenantId: r.tenant_id as string,
  serviceRequestId: r.service_request_id as string,
  state: r.state as OutboxRow['state'],
  attempts: Number(r.attempts),
  outcomeUnknown: Boolean(r.outcome_unknown),
  lastError: (r.last_error as string | null) ?? null,
  junctionOrderId: (r.junction_order_id as string | null) ?? null,
  leased: r.leased_until !== null && r.leased_until !== undefined && new Date(r.leased_until as string).getTime() > Date.now(),
  payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as OutboxRow['payload'],
});

/** In the ServiceRequest's own transaction: the order is to be submitted. */
export async function enqueueSubmission(db: Knex | Knex.Transaction, tenantId: string, serviceRequestId: string, payload: OutboxRow['payload']): Promise<void> {
  await db('lab_order_outbox')
    .insert({ tenant_id: tenantId, service_request_id: serviceRequestId, state: 'pending', payload: JSON.stringify(payload) })
    .onConflict(['tenant_id', 'service_request_id'])
    .ignore();
}

export async function readOutbox(db: Knex, tenantId: string, serviceRequestId: string): Promise<OutboxRow | undefined> {
  const row = await db('lab_order_outbox').where({ tenant_id: tenantId, service_request_id: serviceRequestId }).first();
  return row && fromRow(row);
}

/**
 * Leases one pending row for `leaseMs`: this process alone submits it until the lease ends
 * (a crashed holder's lease simply runs out). With `only`, that row, whatever its next attempt
 * time (a client is waiting), and only if no attempt has started since it was read; otherwise the next due row of any
 * tenant, skipping rows other workers hold.
 */
export async function leaseSubmission(
  db: Knex,
  leaseMs: number,
  only?: { tenantId: string; serviceRequestId: string; attempts: number },
): Promise<OutboxRow | undefined> {
  return db.transaction(async (trx) => {
    const query = trx('lab_order_outbox')
      .where({ state: 'pending' })
      .andWhere((w) => w.whereNull('leased_until').orWhere('leased_until', '<', trx.fn.now()))
      .first()
      .forUpdate()
      .skipLocked();
    if (only) query.andWhere({ tenant_id: only.tenantId, service_request_id: only.serviceRequestId, attempts: only.attempts });
    else query.andWhere('next_attempt_at', '<=', trx.fn.now()).orderBy('next_attempt_at');
    const row = await query;
    if (!row) return undefined;
    await trx('lab_order_outbox')
      .where({ tenant_id: row.tenant_id, service_request_id: row.service_request_id })
      .update({ leased_until: trx.raw("now() + ? * interval '1 millisecond'", [leaseMs]), attempts: trx.raw('attempts + 1'), updated_at: trx.fn.now() });
    // A lease that ran out was never released: its holder died mid-attempt, so that attempt may have reached Junction.
    return fromRow({ ...row, attempts: Number(row.attempts) + 1, outcome_unknown: Boolean(row.outcome_unknown) || row.leased_until !== null });
  });
}

/** The order exists at Junction: recorded with the ServiceRequest update, in its transaction. */
export async function markSubmitted(db: Knex | Knex.Transaction, row: OutboxRow, junctionOrderId: string): Promise<void> {
  await db('lab_order_outbox')
    .where({ tenant_id: row.tenantId, service_request_id: row.serviceRequestId })
    .update({ state: 'submitted', junction_order_id: junctionOrderId, leased_until: null, last_error: null, outcome_unknown: false, updated_at: db.fn.now() });
}

/**
 * Try again after `delayMs`; `dead` when `final` (Junction refused the order) or once attempts
 * reach `maxAttempts`. `error` is our own code, never upstream text. Answers the new state.
 */
export async function markFailed(
  db: Knex,
  row: OutboxRow,
  failure: { error: string; outcomeUnknown: boolean; delayMs: number; maxAttempts: number; final: boolean },
): Promise<OutboxRow['state']> {
  const state = failure.final || row.attempts >= failure.maxAttempts ? 'dead' : 'pending';
  await db('lab_order_outbox')
    .where({ tenant_id: row.tenantId, service_request_id: row.serviceRequestId })
    .update({
      state,
      last_error: failure.error,
      outcome_unknown: db.raw('outcome_unknown OR ?', [failure.outcomeUnknown]),
      next_attempt_at: db.raw("now() + ? * interval '1 millisecond'", [failure.delayMs]),
      leased_until: null,
      updated_at: db.fn.now(),
    });
  return state;
}

/** Which tenant's ServiceRequest a Junction order is: webhooks carry no tenant. */
export async function findByJunctionOrder(db: Knex, junctionOrderId: string): Promise<OutboxRow | undefined> {
  const row = await db('lab_order_outbox').where({ junction_order_id: junctionOrderId }).first();
  return row && fromRow(row);
}

/** Orders in one state, for operators (`GET /admin/lab-orders?state=dead`). */
export async function listOutbox(db: Knex, state: OutboxRow['state'], limit = 100): Promise<(OutboxRow & { updatedAt: string })[]> {
  const rows = await db('lab_order_outbox').where({ state }).orderBy('updated_at', 'desc').limit(limit);
  return rows.map((r: Record<string, unknown>) => ({ ...fromRow(r), updatedAt: new Date(r.updated_at as string).toISOString() }));
}
