import express, { type NextFunction, type Request, type Response } from 'express';
import { ProblemError } from '../http/problem';

/**
 * JSON bodies for the /v1 families: another content type is a 415, malformed JSON a 400 and
 * an oversized body a 413 — each leaves through the family's own error shape.
 */
export function v1JsonBody(limit = '1mb') {
  const parse = express.json({ limit, strict: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is('application/json') && req.get('content-length') !== '0') {
      next(new ProblemError({ status: 415, code: 'unsupported_media_type', message: 'Content-Type must be application/json' }));
      return;
    }
    parse(req, res, next);
  };
}
