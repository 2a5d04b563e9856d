import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { migrationsComplete } from '../store/migrate';

/** Liveness (the process answers) and readiness (database answers, migrations applied, not draining). */
export function healthRoutes(knex: Knex, isShuttingDown: () => boolean): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    try {
      await withTimeout(knex.raw('SELECT 1'), 2000);
      const migrated = await withTimeout(migrationsComplete(knex), 2000);
      res.status(migrated ? 200 : 503).json({ status: migrated ? 'ready' : 'migrations_pending' });
    } catch {
      res.status(503).json({ status: 'database_unavailable' });
    }
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
