import type { JunctionOrder } from './gateway';
import { parseOrderStatus } from './status';

/** The order's latest detailed status (`last_event`, else the newest event, else the high level). */
export function latestStatus(order: JunctionOrder): string {
  return order.last_event?.status ?? order.events.at(-1)?.status ?? order.status;
}

/** When the order reached `completed`, if it has. */
export function completedAt(order: JunctionOrder): string | undefined {
  const done = order.events.find((e) => parseOrderStatus(e.status)?.high === 'completed');
  return done?.created_at;
}
