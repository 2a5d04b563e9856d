import type { Request, RequestHandler } from 'express';
import type { SandboxFaults } from './faults';
import type { IdempotencyKeys } from './idempotency';
import type { SandboxState } from './state';
import type { Timers } from './timers';
import type { SandboxLogger, WebhookSender } from './webhooks';

/** What the sandbox's route handlers share. */
export interface SandboxContext {
  state: SandboxState;
  faults: SandboxFaults;
  idempotencyKeys: IdempotencyKeys;
  webhooks: WebhookSender;
  timers: Timers;
  logger?: SandboxLogger;
}

/** One API route; the table of them registers the routes and names them in request counts. */
export interface SandboxRoute {
  method: 'GET' | 'POST';
  path: string;
  handlers: RequestHandler[];
}

/** A single path segment parameter (Express 5 types allow lists for wildcards, which we do not use). */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}
