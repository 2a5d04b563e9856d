import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { DatabaseStatus } from '../store/health';

/** Liveness (the process answers) and readiness (database answers, migrations applied, not draining). */
export function healthRoutes(databaseStatus: () => Promise<DatabaseStatus>, isShuttingDown: () => boolean): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const status = isShuttingDown() ? 'shutting_down' : await databaseStatus();
    res.status(status === 'ready' ? 200 : 503).json({ status });
  });
  return router;
}

/** While shutting down, every response closes its connection: keep-alive clients reconnect to another instance. */
export function closeConnectionsWhileDraining(isShuttingDown: () => boolean) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (isShuttingDown()) res.setHeader('Connection', 'close');
    next();
  };
}
