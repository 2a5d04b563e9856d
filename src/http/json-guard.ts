import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { invalidField } from '../problems/problem';
import { findDuplicateKey } from './duplicate-keys';
import { LONE_SURROGATE } from '../unicode';

/** How deeply a JSON body may nest; FHIR resources, bundles included, stay far below it. */
export const MAX_JSON_DEPTH = 100;

/**
 * Refuses, before any SQL, a JSON body that PostgreSQL's jsonb cannot store — a string with a
 * lone UTF-16 surrogate (`"\ud800"`) or a NUL character — or that nests past MAX_JSON_DEPTH,
 * which recursive validation would not survive. 400 naming the element; the value is never quoted.
 */
export function jsonGuard(req: Request, _res: Response, next: NextFunction): void {
  const problem = duplicateOf(req) ?? findUnstorable(req.body);
  next(problem && invalidField(problem.field, `${problem.field} is not valid: it ${problem.reason}`));
}

/** Where a body's repeated member name was found, between parsing and the guard. */
const duplicates = new WeakMap<IncomingMessage, string>();

/** express.json that also notes a member name repeated in one object, for `jsonGuard` to refuse (400). */
export function jsonParser(options: { limit: string; type?: string[]; strict?: boolean }) {
  return express.json({
    ...options,
    verify: (req, _res, body) => {
      const path = findDuplicateKey(body);
      if (path !== undefined) duplicates.set(req, path);
    },
  });
}

function duplicateOf(req: Request): Unstorable | undefined {
  const path = duplicates.get(req);
  return path === undefined ? undefined : duplicateAt(req.body, path);
}

/** The problem of a member name repeated at `path` (as findDuplicateKey gives it) in `body`. */
export function duplicateAt(body: unknown, path: string): Unstorable {
  const root = rootOf(body);
  return { field: root && !path.startsWith('[') ? `${root}.${path}` : `${root}${path}`, reason: 'appears twice in one object' };
}

/** FHIR paths start with the resource type (`Patient.name[0]`), /v1 ones with the field (`first_name`). */
function rootOf(body: unknown): string {
  return typeof body === 'object' && body !== null && typeof (body as { resourceType?: unknown }).resourceType === 'string'
    ? (body as { resourceType: string }).resourceType
    : '';
}

export interface Unstorable {
  field: string;
  reason: string;
}

/** The first string, name or nesting in `body` that cannot be stored, if any. */
export function findUnstorable(body: unknown): Unstorable | undefined {
  const root = rootOf(body);
  const child = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
  // Iterative on purpose: the point is to survive nesting that would overflow a recursive walk.
  const stack: [unknown, string, number][] = [[body, root, 0]];
  while (stack.length > 0) {
    const [value, path, depth] = stack.pop() as [unknown, string, number];
    if (typeof value === 'string') {
      const reason = badString(value);
      if (reason) return { field: path || 'body', reason };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) return { field: path || 'body', reason: `nests deeper than ${MAX_JSON_DEPTH} levels` };
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${path}[${i}]`, depth + 1]));
      continue;
    }
    for (const [key, member] of Object.entries(value)) {
      const keyReason = badString(key);
      if (keyReason) return { field: path || 'body', reason: `has a property name that ${keyReason}` };
      stack.push([member, child(path, key), depth + 1]);
    }
  }
  return undefined;
}

function badString(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character, which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (invalid Unicode), which cannot be stored';
  return undefined;
}
