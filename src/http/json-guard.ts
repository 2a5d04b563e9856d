import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { invalidField } from '../problems/problem';
import { countMembers, findDuplicateKey } from './duplicate-keys';
import { LONE_SURROGATE } from '../unicode';

/** How deeply a JSON body may nest; FHIR resources, bundles included, stay far below it. */
export const MAX_JSON_DEPTH = 100;

/**
 * Refuses, before any SQL, a JSON body that PostgreSQL's jsonb cannot store — a string with a
 * lone UTF-16 surrogate (`"\ud800"`) or a NUL character — or that nests past MAX_JSON_DEPTH,
 * which recursive validation would not survive. 400 naming the element; the value is never quoted.
 */
export function jsonGuard(req: Request, _res: Response, next: NextFunction): void {
  const text = texts.get(req);
  // The bytes are needed only to locate a repeated name: not kept for the rest of the request.
  texts.delete(req);
  const problem = text ? problemOfParsed(req.body, text.members, () => findDuplicateKey(text.bytes)) : findUnstorable(req.body);
  next(problem && invalidField(problem.field, `${problem.field} is not valid: it ${problem.reason}`));
}

/** A JSON body's bytes and member count, between parsing and the guard. */
const texts = new WeakMap<IncomingMessage, { bytes: Uint8Array; members: number }>();

/** express.json that also counts the members of the text, for `jsonGuard` to refuse a name repeated in one object (400). */
export function jsonParser(options: { limit: string; type?: string[]; strict?: boolean }) {
  return express.json({
    ...options,
    verify: (req, _res, bytes) => {
      texts.set(req, { bytes, members: countMembers(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')) });
    },
  });
}

/**
 * The first problem of a parsed JSON value whose text has `textMembers` members: a name repeated
 * in one object (located by `duplicatePath`, asked only when the parsed value has fewer members
 * than its text), then what cannot be stored (looked for only where the survey saw a suspect).
 */
export function problemOfParsed(value: unknown, textMembers: number, duplicatePath: () => string | undefined): Unstorable | undefined {
  const { members, suspect } = survey(value);
  const duplicate = members === textMembers ? undefined : duplicatePath();
  if (duplicate !== undefined) return duplicateAt(value, duplicate);
  return suspect ? findUnstorable(value) : undefined;
}

/** A NUL or any UTF-16 surrogate, paired or not: a string without one needs no closer look. */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters looked for
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

/**
 * One pass over a parsed value, naming nothing: its member count, and whether a string, a name
 * or the nesting is suspect. The count is complete only when nothing is.
 */
function survey(body: unknown): { members: number; suspect: boolean } {
  let members = 0;
  const values: unknown[] = [body];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value === 'string') {
      if (SUSPECT.test(value)) return { members, suspect: true };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) return { members, suspect: true };
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    const items: unknown[] = keys ? keys.map((key) => (value as Record<string, unknown>)[key]) : (value as unknown[]);
    if (keys) {
      members += keys.length;
      for (const key of keys) if (SUSPECT.test(key)) return { members, suspect: true };
    }
    for (const item of items) {
      values.push(item);
      depths.push(depth + 1);
    }
  }
  return { members, suspect: false };
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
