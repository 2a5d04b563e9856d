import type { RequestHandler } from 'express';
import { isRecord } from '../json';
import { canAdvance } from '../status';
import { pathParam, type SandboxContext, type SandboxRoute } from './context';
import { simulationPath } from './lifecycle';
import { orderWebhook } from './order-webhook';
import { applyStatus, type SandboxOrder } from './orders';
import type { WebhookEnvelope } from './webhooks';
import type { ValidationIssue } from './validation';

const INTERPRETATIONS = ['normal', 'abnormal', 'critical', 'unknown'];
const MAX_DELAY_SECONDS = 3600;

/**
 * Junction's sandbox simulation, `POST /v3/order/{order_id}/test?final_status=&delay=`: moves
 * the order through its modality's statuses to `final_status`, one `labtest.order.updated`
 * webhook per change, `delay` seconds apart (INFERRED: Junction does not document `delay`).
 */
export function simulationRoutes(ctx: SandboxContext): SandboxRoute[] {
  const simulateOrder: RequestHandler = (req, res) => {
    const order = ctx.state.order(pathParam(req, 'orderId'));
    if (!order) {
      res.status(404).json({ detail: 'Order not found' });
      return;
    }
    const finalStatus = typeof req.query.final_status === 'string' ? req.query.final_status : undefined;
    const statuses = simulationPath(order.details.type, finalStatus);
    const delay = req.query.delay === undefined ? 0 : Number(req.query.delay);
    const interpretation: unknown = isRecord(req.body) ? (req.body.interpretation ?? 'normal') : 'normal';
    const issues: ValidationIssue[] = [];
    if (!statuses) {
      issues.push({ loc: ['query', 'final_status'], msg: `Cannot simulate this order to ${finalStatus ?? 'completed'}`, type: 'value_error' });
    }
    if (!(delay >= 0 && delay <= MAX_DELAY_SECONDS)) {
      issues.push({ loc: ['query', 'delay'], msg: `Input should be 0..${MAX_DELAY_SECONDS}`, type: 'value_error' });
    }
    if (typeof interpretation !== 'string' || !INTERPRETATIONS.includes(interpretation)) {
      issues.push({ loc: ['body', 'interpretation'], msg: `Input should be ${INTERPRETATIONS.join(', ')}`, type: 'enum' });
    }
    if (!statuses || issues.length > 0) {
      res.status(422).json({ detail: issues });
      return;
    }
    runSimulation(ctx, order, statuses, delay * 1000, interpretation as string);
    res.json('Success');
  };

  return [{ method: 'POST', path: '/v3/order/:orderId/test', handlers: [ctx.faults.latency, simulateOrder] }];
}

/** Statuses the order already passed are skipped, so a simulation never moves it backwards. */
function runSimulation(ctx: SandboxContext, order: SandboxOrder, statuses: string[], stepMs: number, interpretation: string): void {
  const mode = ctx.faults.settings.webhooks;
  const held: WebhookEnvelope[] = [];
  const apply = (status: string) => {
    if (!canAdvance(order.last_event?.status, status)) return;
    applyStatus(order, status, ctx.state.nextEventId(), new Date().toISOString());
    if (order.status === 'completed') order.interpretation = interpretation;
    const event = orderWebhook(ctx.state, order, 'labtest.order.updated');
    // Out of order: the whole run is delivered at its end, newest first.
    if (mode === 'out_of_order') held.push(event);
    else ctx.webhooks.enqueue([event], mode);
  };
  const finish = () => ctx.webhooks.enqueue(held, mode);
  if (stepMs === 0) {
    statuses.forEach(apply);
    finish();
    return;
  }
  statuses.forEach((status, i) =>
    ctx.timers.after(stepMs * (i + 1), () => {
      apply(status);
      if (i === statuses.length - 1) finish();
    }),
  );
}
