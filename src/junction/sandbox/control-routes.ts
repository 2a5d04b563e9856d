import express, { type Router } from 'express';
import { isValidNpi } from '../../../mappings/physicians';
import type { JunctionPhysician } from '../gateway';
import { isRecord } from '../json';
import type { SandboxContext } from './context';

/**
 * The sandbox's own control API under `/_sandbox` (no API key; never part of Junction's API):
 * fault switches, the orders placed, request counts, webhooks not yet delivered, and the team's
 * physician network.
 * See docs/junction-sandbox.md.
 */
export function controlRouter(ctx: SandboxContext): Router {
  const router = express.Router();

  router.get('/faults', (_req, res) => {
    res.json(ctx.faults.settings);
  });

  router.post('/faults', (req, res) => {
    const problem = ctx.faults.configure(req.body);
    if (problem) res.status(400).json({ detail: problem });
    else res.json(ctx.faults.settings);
  });

  router.delete('/faults', (_req, res) => {
    ctx.faults.reset();
    res.status(204).end();
  });

  router.get('/orders', (req, res) => {
    const userId = typeof req.query.user_id === 'string' ? req.query.user_id : undefined;
    res.json({ orders: ctx.state.orders().filter((order) => userId === undefined || order.user_id === userId) });
  });

  router.get('/requests', (_req, res) => {
    res.json(ctx.state.requestCounts());
  });

  router.get('/webhooks', (_req, res) => {
    res.json({ pending: ctx.webhooks.pending });
  });

  router.post('/physicians', (req, res) => {
    const physicians: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
    if (!physicians.every(isPhysician)) {
      res.status(400).json({ detail: 'expected {first_name, last_name, npi} or a list of them, with valid NPIs' });
      return;
    }
    for (const physician of physicians) ctx.state.addPhysician(physician);
    res.status(201).json(ctx.state.physicians());
  });

  return router;
}

function isPhysician(value: unknown): value is JunctionPhysician {
  if (!isRecord(value)) return false;
  const { first_name, last_name, npi } = value;
  return typeof first_name === 'string' && first_name !== '' && typeof last_name === 'string' && last_name !== '' && typeof npi === 'string' && isValidNpi(npi);
}
