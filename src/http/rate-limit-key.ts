import { createHash } from 'node:crypto';
import type { Request } from 'express';

/**
 * Whose budget a request spends: the API key it presents (`x-api-key` or `Authorization:
 * Bearer`), else its client address (`req.ip`, which honours TRUST_PROXY), within the tenant
 * it acts for (a key belongs to one tenant; before keys, every caller acts for the default one).
 * Hashed, so neither credentials nor addresses are stored in the counters.
 */
export function rateLimitKey(req: Request): string {
  const credential = req.get('x-api-key') || bearerToken(req.get('authorization'));
  const subject = credential ? `key:${credential}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
  return createHash('sha256').update(`${req.tenantId}\n${subject}`).digest('hex');
}

function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}
