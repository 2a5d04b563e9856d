import { createHash } from 'node:crypto';
import type { Request } from 'express';

/**
 * Whose budget a request spends: the authenticated caller (API key id or token subject,
 * within its tenant), else — on open paths without credentials — the client address
 * (`req.ip`, which honours TRUST_PROXY). Hashed, so neither ids nor addresses sit in the counters.
 */
export function rateLimitKey(req: Request): string {
  const subject = req.principal
    ? `${req.principal.tenantId}\n${req.principal.kind}:${req.principal.subject}`
    : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
  return createHash('sha256').update(subject).digest('hex');
}
