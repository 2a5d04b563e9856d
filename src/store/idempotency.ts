import type { Knex } from 'knex';

export interface IdempotencyRecord {
  fingerprint: string;
  state: 'in_flight' | 'completed' | 'incomplete';
  responseStatus: number | null;
  responseBody: unknown;
  resourceId: string | null;
  /** Milliseconds since the record last changed. */
  ageMs: number;
}

export interface IdempotencyScope {
  tenantId: string;
  scope: string;
  key: string;
}

/**
 * Claims a key for a first request: true when this call inserted it (the caller runs the
 * request), false when a record exists already (read it with `readKey`). The primary key
 * makes concurrent claims of one key meet: exactly one wins.
 */
export async function claimKey(db: Knex, at: IdempotencyScope, fingerprint: string): Promise<boolean> {
  const inserted = await db('idempotency_keys')
    .insert({ tenant_id: at.tenantId, scope: at.scope, key: at.key, fingerprint, state: 'in_flight' })
    .onConflict(['tenant_id', 'scope', 'key'])
    .ignore()
    .returning('key');
  return inserted.length > 0;
}

export async function readKey(db: Knex, at: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
  const row = await db('idempotency_keys')
    .where({ tenant_id: at.tenantId, scope: at.scope, key: at.key })
    .first('fingerprint', 'state', 'response_status', 'response_body', 'resource_id', db.raw('extract(epoch from now() - updated_at) * 1000 as age_ms'));
  if (!row) return undefined;
  return {
    fingerprint: row.fingerprint,
    state: row.state,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    resourceId: row.resource_id,
    ageMs: Number(row.age_ms),
  };
}

/**
 * Takes over a record whose request is not running any more (incomplete, or in flight for
 * longer than `staleMs`: its process died); true when this call got it.
 */
export async function retakeKey(db: Knex, at: IdempotencyScope, staleMs: number): Promise<boolean> {
  const updated = await db('idempotency_keys')
    .where({ tenant_id: at.tenantId, scope: at.scope, key: at.key })
    .andWhere((w) =>
      w.where('state', 'incomplete').orWhere((s) => s.where('state', 'in_flight').andWhereRaw("updated_at < now() - ? * interval '1 millisecond'", [staleMs])),
    )
    .update({ state: 'in_flight', updated_at: db.fn.now() });
  return updated > 0;
}

/** Records the resource the request created, so a retry after a crash can find it. */
export async function noteResource(db: Knex | Knex.Transaction, at: IdempotencyScope, resourceId: string): Promise<void> {
  await db('idempotency_keys').where({ tenant_id: at.tenantId, scope: at.scope, key: at.key }).update({ resource_id: resourceId, updated_at: db.fn.now() });
}

/** The request's final answer (replayed to every retry), or `incomplete` (a retry runs it on). */
export async function settleKey(db: Knex, at: IdempotencyScope, outcome: { final: boolean; status: number; body: unknown }): Promise<void> {
  await db('idempotency_keys')
    .where({ tenant_id: at.tenantId, scope: at.scope, key: at.key })
    .update({
      state: outcome.final ? 'completed' : 'incomplete',
      response_status: outcome.status,
      response_body: JSON.stringify(outcome.body),
      updated_at: db.fn.now(),
    });
}

/** Forgets a claim whose request stored nothing (it failed validation): the key may be used again. */
export async function releaseKey(db: Knex, at: IdempotencyScope): Promise<void> {
  await db('idempotency_keys').where({ tenant_id: at.tenantId, scope: at.scope, key: at.key, state: 'in_flight' }).whereNull('resource_id').delete();
}
