import type { Request, Response } from 'express';
import { statusOf } from '../problems/outcomes';
import type { ResponseShape, V1Reply } from '../v1/api';
import type { ErrorWriter } from './error-funnel';
import { rateLimitStateOf } from './rate-limit-state';

/** Seed 003: every response, success or failure, carries this `meta`. */
interface EnvelopeMeta {
  requestId: string;
  timestamp: string;
  status: number;
  rateLimitTotal: number;
  rateLimitRemaining: number;
  rateLimitReset: number;
}

/** Writes a use case's reply in the API's documented shape. */
export function sendReply(shape: ResponseShape, req: Request, res: Response, reply: V1Reply): void {
  const status = statusOf(reply.createdId === undefined ? 'ok' : 'created');
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.createdId !== undefined) res.location(`${req.baseUrl}/${reply.createdId}`);
  res.status(status);
  switch (shape) {
    case 'error-message':
      res.json(reply.data);
      return;
    case 'meta-envelope':
      res.json({ data: reply.data, meta: envelopeMeta(req, res, status) });
      return;
    case 'request-id-envelope':
      res.json({ data: reply.data, meta: { request_id: req.requestId, ...reply.meta } });
      return;
  }
}

/** The error writer of each documented shape. */
export const ERROR_WRITERS: Record<ResponseShape, ErrorWriter> = {
  'error-message': (problem, _err, _req, res) => {
    res.status(problem.status).json({ error: problem.code, message: problem.message });
  },
  'meta-envelope': (problem, _err, req, res) => {
    res.status(problem.status).json({ error: { code: problem.code, message: problem.message }, meta: envelopeMeta(req, res, problem.status) });
  },
  'request-id-envelope': (problem, _err, req, res) => {
    res.status(problem.status).json({ error: { code: problem.code, message: problem.message }, meta: { request_id: req.requestId } });
  },
};

function envelopeMeta(req: Request, res: Response, status: number): EnvelopeMeta {
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
