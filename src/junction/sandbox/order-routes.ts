import type { RequestHandler } from 'express';
import type { JunctionOrderRequest } from '../gateway';
import { pathParam, type SandboxContext, type SandboxRoute } from './context';
import { fingerprintOf } from './idempotency';
import { sandboxLabTest, type SandboxLabTest } from './lab-tests';
import { orderWebhook } from './order-webhook';
import { buildOrder } from './orders';
import { validateOrderRequest } from './validation';

interface Reply {
  status: number;
  body: unknown;
}

export function orderRoutes(ctx: SandboxContext): SandboxRoute[] {
  const createOrder: RequestHandler = async (req, res) => {
    const key = req.header('x-idempotency-key');
    if (!key) {
      const reply = await placeOrder(ctx, req.body);
      res.status(reply.status).json(reply.body);
      return;
    }
    const claim = ctx.idempotencyKeys.claim(key, fingerprintOf(req.body));
    if (claim.kind === 'replay') {
      res.status(claim.status).json(claim.body);
      return;
    }
    if (claim.kind !== 'claimed') {
      const detail =
        claim.kind === 'in_flight' ? 'A request with this idempotency key is in progress' : 'This idempotency key was used with a different request';
      res.status(409).json({ detail });
      return;
    }
    let reply: Reply | undefined;
    try {
      reply = await placeOrder(ctx, req.body);
    } finally {
      // A validation failure is not stored under the key: the caller may fix the body and retry.
      if (reply === undefined || reply.status === 422) ctx.idempotencyKeys.release(key);
      else ctx.idempotencyKeys.complete(key, reply.status, reply.body);
    }
    res.status(reply.status).json(reply.body);
  };

  const getOrder: RequestHandler = (req, res) => {
    const order = ctx.state.order(pathParam(req, 'orderId'));
    if (order) res.json(order);
    else res.status(404).json({ detail: 'Order not found' });
  };

  const listOrders: RequestHandler = (req, res) => {
    const userId = typeof req.query.user_id === 'string' ? req.query.user_id : undefined;
    const orders = ctx.state.orders().filter((order) => userId === undefined || order.user_id === userId);
    res.json({ orders: structuredClone(orders), total: orders.length, page: 1, size: orders.length });
  };

  return [
    { method: 'POST', path: '/v3/order', handlers: [createOrder] },
    { method: 'GET', path: '/v3/orders', handlers: [ctx.faults.latency, listOrders] },
    { method: 'GET', path: '/v3/order/:orderId', handlers: [ctx.faults.latency, getOrder] },
  ];
}

/** The latency fault runs here, while the key is claimed, so a concurrent retry sees it in flight. */
async function placeOrder(ctx: SandboxContext, body: unknown): Promise<Reply> {
  await ctx.faults.delay();
  const issues = validateOrderRequest(body, {
    userExists: (userId) => ctx.state.user(userId) !== undefined,
    labTestExists: (labTestId) => sandboxLabTest(labTestId) !== undefined,
  });
  if (issues.length > 0) return { status: 422, body: { detail: issues } };
  const request = body as JunctionOrderRequest;
  // Validation has found every lab test id.
  const labTest = sandboxLabTest(request.order_set.lab_test_ids[0] ?? '') as SandboxLabTest;
  const order = buildOrder({ request, teamId: ctx.state.teamId, labTest, eventId: ctx.state.nextEventId(), now: new Date().toISOString() });
  ctx.state.addOrder(order);
  ctx.webhooks.enqueue([orderWebhook(ctx.state, order, 'labtest.order.created')], ctx.faults.settings.webhooks);
  return { status: 200, body: { order: structuredClone(order), status: 'success', message: 'Order created' } };
}
