import type { Knex } from 'knex';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { FhirService } from '../fhir/service';
import type { Logger } from '../logger';
import { findByJunctionOrder } from '../store/lab-outbox';
import { firstDelivery, forgetDelivery } from '../store/webhook-deliveries';
import type { LabGateway } from './gateway';
import { recordJunctionOrder } from './record-order';

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

export interface WebhookOptions {
  knex: Knex;
  gateway: LabGateway;
  systemService(tenantId: string): FhirService;
  /** Svix's signing secret, `whsec_<base64>`. */
  secret: string;
  logger: Logger;
}

/** Events about an order's status; the others (appointments, results) are acknowledged and left alone. */
const ORDER_EVENTS = new Set(['labtest.order.created', 'labtest.order.updated']);

/**
 * Junction's webhooks, delivered by Svix: the signature is checked on the raw body (±5 minutes),
 * a message id seen before is acknowledged and ignored, and an order event is treated as
 * "something changed": the order is fetched again from Junction, as its docs advise, and its
 * status applied to the ServiceRequest of whichever tenant placed it — never backwards.
 * https://docs.svix.com/receiving/verifying-payloads/how-manual
 */
export class JunctionWebhooks {
  private readonly verifier: Webhook;

  constructor(private readonly options: WebhookOptions) {
    this.verifier = new Webhook(options.secret);
  }

  /** Verifies and processes one delivery; throws WebhookSignatureError when it is not Junction's. */
  async receive(rawBody: Buffer, header: (name: string) => string | undefined): Promise<void> {
    const id = header('svix-id') ?? '';
    const event = this.verify(rawBody, id, header);
    if (!ORDER_EVENTS.has(event.event_type ?? '') || typeof event.data?.id !== 'string') return;
    if (!(await firstDelivery(this.options.knex, id))) return;
    try {
      await this.apply(event.data.id);
    } catch (err) {
      // Unprocessed: let Junction's retry of this message in again.
      await forgetDelivery(this.options.knex, id);
      throw err;
    }
  }

  private verify(rawBody: Buffer, id: string, header: (name: string) => string | undefined): { event_type?: string; data?: { id?: unknown } } {
    try {
      return this.verifier.verify(rawBody.toString('utf8'), {
        'webhook-id': id,
        'webhook-timestamp': header('svix-timestamp') ?? '',
        'webhook-signature': header('svix-signature') ?? '',
      }) as { event_type?: string; data?: { id?: unknown } };
    } catch (err) {
      if (err instanceof WebhookVerificationError || err instanceof SyntaxError) throw new WebhookSignatureError('the webhook signature does not verify');
      throw err;
    }
  }

  private async apply(junctionOrderId: string): Promise<void> {
    const placed = await findByJunctionOrder(this.options.knex, junctionOrderId);
    // Not (yet) recorded here: the submission that placed it records the status it reads then.
    if (!placed) return;
    const order = await this.options.gateway.getOrder(junctionOrderId);
    if (!order) return;
    await recordJunctionOrder(this.options.systemService(placed.tenantId), placed.serviceRequestId, order);
    this.options.logger.info({ tenantId: placed.tenantId, serviceRequestId: placed.serviceRequestId }, 'lab order status from Junction webhook');
  }
}
