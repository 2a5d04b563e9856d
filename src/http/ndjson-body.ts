import express, { type NextFunction, type Request, type Response } from 'express';
import type { ImportLine } from '../fhir/import/import-input';
import { badRequest } from '../problems/outcomes';
import { countMembers, findDuplicateKey } from './duplicate-keys';
import { problemOfParsed } from './json-guard';

/** NDJSON as FHIR Bulk Data names it, and the generic names clients also send. */
export const NDJSON_TYPES = ['application/fhir+ndjson', 'application/ndjson', 'application/x-ndjson'];

/**
 * Parses an NDJSON body line by line into `res.locals.importLines`: a line that is not JSON,
 * repeats a member name or holds what cannot be stored is that line's failure (named `line N`),
 * not the request's, so the other lines still load. Blank lines are ignored.
 */
export function ndjsonBody(limit: string) {
  const text = express.text({ type: NDJSON_TYPES, limit });
  return (req: Request, res: Response, next: NextFunction): void => {
    text(req, res, (err?: unknown) => {
      if (err || typeof req.body !== 'string') return next(err);
      res.locals.importLines = parseLines(req.body);
      req.body = undefined;
      next();
    });
  };
}

function parseLines(body: string): ImportLine[] {
  const lines: ImportLine[] = [];
  body.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    lines.push(parseLine(text, i + 1));
  });
  return lines;
}

function parseLine(text: string, line: number): ImportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, failure: badRequest(`line ${line} is not valid JSON`, `line ${line}`) };
  }
  const problem = problemOfParsed(value, countMembers(text), () => findDuplicateKey(Buffer.from(text, 'utf8')));
  if (problem) return { line, failure: badRequest(`${problem.field} is not valid: it ${problem.reason}`, problem.field) };
  return { line, value };
}
