import type { CollectionMethod } from '../gateway';
import { parseOrderStatus } from '../status';

type Step = readonly [high: string, low: string];

/**
 * How an order normally moves after `received.<modality>.ordered`, per modality
 * (https://docs.junction.com/lab/workflow/lab-test-lifecycle). Partial results are left out:
 * Junction sends no webhook for them unless it enables that for the team.
 */
const NORMAL_PATHS: Readonly<Record<CollectionMethod, readonly Step[]>> = {
  testkit: [
    ['received', 'requisition_created'],
    ['collecting_sample', 'transit_customer'],
    ['collecting_sample', 'out_for_delivery'],
    ['collecting_sample', 'with_customer'],
    ['collecting_sample', 'transit_lab'],
    ['sample_with_lab', 'delivered_to_lab'],
    ['completed', 'completed'],
  ],
  walk_in_test: [
    ['received', 'requisition_created'],
    ['collecting_sample', 'appointment_scheduled'],
    ['completed', 'completed'],
  ],
  at_home_phlebotomy: [
    ['received', 'requisition_created'],
    ['collecting_sample', 'appointment_scheduled'],
    ['collecting_sample', 'draw_completed'],
    ['completed', 'completed'],
  ],
  on_site_collection: [
    ['received', 'requisition_created'],
    ['sample_with_lab', 'draw_completed'],
    ['completed', 'completed'],
  ],
};

/**
 * The statuses a simulation to `finalStatus` goes through, in order. `finalStatus` is a full
 * status of the order's modality (`completed.walk_in_test.completed`), a high level (`completed`,
 * `cancelled`, `failed`, `collecting_sample`, ...) or `corrected`; omitted, it is `completed`.
 * Undefined when the order's modality cannot end there.
 */
export function simulationPath(modality: CollectionMethod, finalStatus = 'completed'): string[] | undefined {
  const normal = NORMAL_PATHS[modality];
  const target =
    finalStatus === 'corrected'
      ? { high: 'completed', modality, low: 'corrected' }
      : (parseOrderStatus(finalStatus) ?? { high: finalStatus, modality, low: undefined });
  if (target.modality !== modality) return undefined;
  const full = (steps: readonly Step[]) => steps.map(([high, low]) => `${high}.${modality}.${low}`);
  const beforeLab = normal.filter(([high]) => high === 'received' || high === 'collecting_sample');
  if (target.high === 'cancelled') return full([...normal.slice(0, 1), ['cancelled', target.low ?? 'cancelled']]);
  if (target.high === 'failed') return full([...beforeLab, ['failed', target.low ?? 'sample_error']]);
  if (target.high === 'completed' && target.low === 'corrected') return full([...normal, ['completed', 'corrected']]);
  const end = normal.findLastIndex(([high, low]) => high === target.high && (target.low === undefined || low === target.low));
  return end === -1 ? undefined : full(normal.slice(0, end + 1));
}
