import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Principal } from '../auth/authenticator';

/** A cached API key's principal is one object for as long as it is cached: its key is hashed once. */
const keys = new WeakMap<Principal, string>();

/**
 * Whose budget a request spends: the authenticated caller (API key id or token subject,
 * within its tenant), else — on open paths without credentials — the client address
 * (`req.ip`, which honours TRUST_PROXY). Hashed, so neither ids nor addresses sit in the counters.
 */
export function rateLimitKey(req: Request): string {
  const { principal } = req;
  if (!principal) return hashed(`ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`);
  let key = keys.get(principal);
  if (key === undefined) {
    key = hashed(`${principal.tenantId}\n${principal.kind}:${principal.subject}`);
    keys.set(principal, key);
  }
  return key;
}

const hashed = (subject: string): string => createHash('sha256').update(subject).digest('hex');
