import type { SandboxOrder } from './orders';
import type { SandboxState } from './state';
import type { WebhookEnvelope } from './webhooks';

/** `labtest.order.created` / `labtest.order.updated`, carrying the order as it is now. */
export function orderWebhook(state: SandboxState, order: SandboxOrder, eventType: 'labtest.order.created' | 'labtest.order.updated'): WebhookEnvelope {
  return {
    event_type: eventType,
    user_id: order.user_id,
    client_user_id: state.user(order.user_id)?.client_user_id ?? '',
    team_id: order.team_id,
    data: structuredClone(order),
  };
}
