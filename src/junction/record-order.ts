import type { ServiceRequest } from '@medplum/fhirtypes';
import { junctionStatusOf, withJunctionOrder } from '../../mappings/lab-orders';
import type { FhirService } from '../fhir/service';
import type { JunctionOrder } from './gateway';
import { completedAt, latestStatus } from './order-state';
import { canAdvance } from './status';

/**
 * Writes what Junction says of an order onto its ServiceRequest — the Junction order id, the
 * detailed status, `completed_at` — unless the status would move backwards (webhooks arrive
 * twice and out of order). Serialised per order; `extra` runs in the same transaction.
 */
export async function recordJunctionOrder(
  service: FhirService,
  serviceRequestId: string,
  order: JunctionOrder,
  extra?: (tx: FhirService) => Promise<void>,
): Promise<void> {
  await service.transaction(async (tx) => {
    await tx.lock(`lab-order:${serviceRequestId}`);
    await extra?.(tx);
    const [stored] = await tx.readMany('ServiceRequest', [serviceRequestId]);
    if (!stored) return;
    const current = stored.resource as ServiceRequest;
    const status = latestStatus(order);
    if (!canAdvance(junctionStatusOf(current), status)) return;
    await tx.update('ServiceRequest', serviceRequestId, withJunctionOrder(current, order.id, status, completedAt(order)), stored.versionId);
  });
}
