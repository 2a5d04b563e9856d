import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { catalogRoutes } from './catalog-routes';
import type { SandboxContext, SandboxRoute } from './context';
import { controlRouter } from './control-routes';
import { SandboxFaults } from './faults';
import { IdempotencyKeys } from './idempotency';
import { orderRoutes } from './order-routes';
import { matchesRoute } from './route-match';
import { simulationRoutes } from './simulation-routes';
import { SandboxState } from './state';
import { Timers } from './timers';
import { userRoutes } from './user-routes';
import { WebhookSender, type SandboxLogger } from './webhooks';

/** The sandbox team's id unless one is given. */
export const SANDBOX_TEAM_ID = 'c26a9cc7-5e0e-4a7e-9f3c-0b6d1f2e3a4b';

export interface JunctionSandboxOptions {
  /** Where webhooks go; a function is asked at each delivery. None: no webhooks are sent. */
  webhookUrl?: string | (() => string | undefined);
  /** The Svix signing secret, `whsec_<base64>`. */
  webhookSecret: string;
  teamId?: string;
  logger?: SandboxLogger;
  /** Waits before the retries of a failed webhook delivery; default 200 ms, then 1 s. */
  webhookRetryDelaysMs?: readonly number[];
}

export interface JunctionSandbox {
  /** Serve it alone or mount it, e.g. at `/junction-sandbox`. */
  router: Router;
  teamId: string;
  state: SandboxState;
  faults: SandboxFaults;
  /** Resolves once every webhook queued so far has been delivered or given up. */
  webhooksIdle(): Promise<void>;
  /** Cancels pending simulations and webhooks and drops hung requests. */
  close(): Promise<void>;
}

/**
 * An in-memory stand-in for the Junction API, for what our server calls: users, orders with
 * idempotency keys, the team's physicians, lab tests, the sandbox simulation with Svix-signed
 * webhooks, and fault switches for tests.
 */
export function createJunctionSandbox(options: JunctionSandboxOptions): JunctionSandbox {
  const { webhookUrl } = options;
  const ctx: SandboxContext = {
    state: new SandboxState(options.teamId ?? SANDBOX_TEAM_ID),
    faults: new SandboxFaults(),
    idempotencyKeys: new IdempotencyKeys(),
    webhooks: new WebhookSender({
      url: typeof webhookUrl === 'function' ? webhookUrl : () => webhookUrl,
      secret: options.webhookSecret,
      logger: options.logger,
      retryDelaysMs: options.webhookRetryDelaysMs,
    }),
    timers: new Timers(),
    logger: options.logger,
  };
  const routes = [...userRoutes(ctx), ...orderRoutes(ctx), ...simulationRoutes(ctx), ...catalogRoutes(ctx)];

  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  router.use('/_sandbox', controlRouter(ctx));
  router.use(countRequests(ctx, routes));
  router.use(requireApiKey);
  router.use(ctx.faults.middleware);
  for (const route of routes) {
    if (route.method === 'GET') router.get(route.path, ...route.handlers);
    else router.post(route.path, ...route.handlers);
  }
  router.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });
  router.use(answerErrors(options.logger));

  return {
    router,
    teamId: ctx.state.teamId,
    state: ctx.state,
    faults: ctx.faults,
    webhooksIdle: () => ctx.webhooks.idle(),
    async close() {
      ctx.timers.clear();
      ctx.faults.releaseHeld();
      await ctx.webhooks.close();
    },
  };
}

function countRequests(ctx: SandboxContext, routes: readonly SandboxRoute[]): RequestHandler {
  const templates = routes.map((route) => `${route.method} ${route.path}`);
  return (req, _res, next) => {
    ctx.state.countRequest(templates.find((template) => matchesRoute(template, req.method, req.path)) ?? 'unmatched');
    next();
  };
}

/** Any non-empty key is accepted; the body of Junction's 401 is undocumented. */
const requireApiKey: RequestHandler = (req, res, next) => {
  if (req.header('x-vital-api-key')) next();
  else res.status(401).json({ detail: 'Missing or invalid API key' });
};

/** FastAPI's answers to a body it cannot read, and a bare 500 for the unexpected. */
function answerErrors(logger: SandboxLogger | undefined): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.parse.failed') res.status(422).json({ detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
    else if (type === 'entity.too.large') res.status(413).json({ detail: 'Request Entity Too Large' });
    else {
      logger?.warn({ errName: (err as { name?: unknown }).name }, 'junction sandbox: unexpected error');
      res.status(500).json({ detail: 'Internal Server Error' });
    }
  };
}
