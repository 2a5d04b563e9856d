/**
 * Junction order statuses read `<high>.<modality>.<low>`, e.g. `received.walk_in_test.ordered`.
 * Junction documents every part as non-exhaustive, so unknown values parse and never throw.
 * https://docs.junction.com/lab/workflow/lab-test-lifecycle
 */
export interface OrderStatus {
  high: string;
  modality: string;
  low: string;
}

const HIGH_LEVEL_RANK: ReadonlyMap<string, number> = new Map([
  ['received', 1],
  ['collecting_sample', 2],
  ['sample_with_lab', 3],
  ['completed', 4],
  ['cancelled', 4],
  ['failed', 4],
]);

const TERMINAL = new Set(['completed', 'cancelled', 'failed']);

/** The three parts, or undefined when the value does not have that shape. */
export function parseOrderStatus(value: string): OrderStatus | undefined {
  const [high, modality, low, ...rest] = value.split('.');
  if (!high || !modality || !low || rest.length > 0) return undefined;
  return { high, modality, low };
}

/** Where a status stands in the lifecycle; undefined for a high level we do not know. */
export function statusRank(status: OrderStatus): number | undefined {
  const rank = HIGH_LEVEL_RANK.get(status.high);
  if (rank === undefined) return undefined;
  // A new order is always `received.*.ordered`; every other received status comes after it.
  return status.high === 'received' && status.low === 'ordered' ? rank - 0.5 : rank;
}

export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL.has(status.high);
}

/**
 * Whether an order at `current` may take `next`. Statuses only move forward (moves within one
 * high level are allowed, since Junction does not order them), terminal statuses stay, except
 * that a completed report may be corrected (`completed.*.corrected`). A status with an unknown
 * high level is never applied: we cannot tell whether it is forward.
 */
export function canAdvance(current: string | undefined, next: string): boolean {
  const to = parseOrderStatus(next);
  const toRank = to && statusRank(to);
  if (!to || toRank === undefined) return false;
  const from = current === undefined ? undefined : parseOrderStatus(current);
  const fromRank = from && statusRank(from);
  if (!from || fromRank === undefined) return true;
  if (current === next) return false;
  if (isTerminalStatus(from)) return from.high === 'completed' && to.high === 'completed' && to.low === 'corrected';
  return toRank >= fromRank;
}
