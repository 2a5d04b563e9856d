import express, { type Router } from 'express';
import { WebhookSignatureError, type JunctionWebhooks } from '../junction/webhooks';
import { ProblemError } from '../problems/problem';

/** `POST /webhooks/junction`: authenticated by its Svix signature, not by an API key. */
export function webhookRouter(webhooks: JunctionWebhooks): Router {
  const router = express.Router();
  // The signature covers the exact bytes sent: parse nothing before verifying.
  router.post('/junction', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    try {
      await webhooks.receive(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), (name) => req.get(name));
    } catch (err) {
      if (!(err instanceof WebhookSignatureError)) throw err;
      throw new ProblemError({ kind: 'unauthorized', code: 'invalid_signature', message: 'The webhook signature does not verify' });
    }
    res.json({ received: true });
  });
  return router;
}
