import type { Request, Response } from 'express';
import type { ErrorWriter } from '../../http/error-funnel';
import { rateLimitStateOf } from '../../http/rate-limit-state';

/** Seed 003: every response, success or failure, carries this `meta`. */
interface EnvelopeMeta {
  requestId: string;
  timestamp: string;
  status: number;
  rateLimitTotal: number;
  rateLimitRemaining: number;
  rateLimitReset: number;
}

export function sendData(req: Request, res: Response, status: number, data: unknown): void {
  res.status(status).json({ data, meta: metaOf(req, res, status) });
}

export const writeRoleError: ErrorWriter = (problem, _err, req, res) => {
  res.status(problem.status).json({ error: { code: problem.code, message: problem.message }, meta: metaOf(req, res, problem.status) });
};

function metaOf(req: Request, res: Response, status: number): EnvelopeMeta {
  // The limiter runs before every /v1 route, so the state is always there; zeros only if it were not.
  const limit = rateLimitStateOf(res) ?? { total: 0, remaining: 0, resetSeconds: 0 };
  return {
    requestId: req.requestId,
    timestamp: new Date().toISOString(),
    status,
    rateLimitTotal: limit.total,
    rateLimitRemaining: limit.remaining,
    rateLimitReset: limit.resetSeconds,
  };
}
