import type { Knex } from 'knex';
import { preparedStatement, runPrepared } from './prepared-query';
import { batchesOfOneTurn, type Pending } from './turn-batches';

interface Target {
  resourceType: string;
  id: string;
}

/**
 * The targets (jsonb `[{type, id}]`) this tenant has no row for and another tenant has live:
 * a probe of the primary key and of `resources_type_id` (migration 007) per target. Each probe
 * is a lateral subquery with a `LIMIT`, which PostgreSQL cannot turn into a join: as
 * `EXISTS`, planned for the 100 rows it assumes of a set-returning function, it hashed every
 * live resource of every tenant on each write until the table held thousands.
 */
const FOREIGN_ONLY = preparedStatement(
  'fhir_foreign_only',
  `SELECT t.type, t.id FROM jsonb_to_recordset(?::jsonb) AS t(type text, id text)
   LEFT JOIN LATERAL (SELECT true AS found FROM resources r WHERE r.tenant_id = ?::uuid AND r.resource_type = t.type AND r.id = t.id LIMIT 1) own ON true
   CROSS JOIN LATERAL (SELECT 1 FROM resources o WHERE o.resource_type = t.type AND o.id = t.id AND NOT o.deleted LIMIT 1) other
   WHERE own.found IS NULL`,
);

/** Checks waiting by database and tenant, at most about 200 targets a statement. */
const checkInTurn = batchesOfOneTurn<Target[], Target[]>({ limit: 200, weightOf: (targets) => targets.length, send });

/**
 * Those of `targets` this tenant has no row for and another tenant has live: one statement
 * however many targets. Outside a transaction the checks that reach here within one turn of the
 * event loop go as one statement per tenant, each answered with its own targets only. A target
 * jsonb cannot hold (text with a NUL) would fail the others' checks with its own: it goes alone.
 */
export async function foreignOnlyTargets(db: Knex | Knex.Transaction, tenantId: string, targets: readonly Target[]): Promise<Target[]> {
  if (targets.length === 0) return [];
  const distinct = [...new Map(targets.map((t) => [keyOf(t), { resourceType: t.resourceType, id: t.id }])).values()];
  if (db.isTransaction || distinct.some((t) => `${t.resourceType}${t.id}`.includes('\0'))) return foreignAmong(db, tenantId, distinct);
  return checkInTurn(db, tenantId, distinct);
}

async function send(db: Knex, tenantId: string, batch: Pending<Target[], Target[]>[]): Promise<void> {
  try {
    const all = [...new Map(batch.flatMap((p) => p.input).map((t) => [keyOf(t), t])).values()];
    const foreign = new Set((await foreignAmong(db, tenantId, all)).map(keyOf));
    for (const p of batch) p.resolve(p.input.filter((t) => foreign.has(keyOf(t))));
  } catch (err) {
    for (const p of batch) p.reject(err);
  }
}

async function foreignAmong(db: Knex | Knex.Transaction, tenantId: string, targets: readonly Target[]): Promise<Target[]> {
  const input = JSON.stringify(targets.map((t) => ({ type: t.resourceType, id: t.id })));
  const rows = await runPrepared<{ type: string; id: string }>(db, FOREIGN_ONLY, [input, tenantId]);
  return rows.map((r) => ({ resourceType: r.type, id: r.id }));
}

const keyOf = (target: Target): string => `${target.resourceType}/${target.id}`;
