import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AuthenticationError } from './authentication-error';

export interface JwtSettings {
  /** Where the authorization server publishes its keys … */
  jwksUrl?: string;
  /** … or a JWKS file. */
  jwksFile?: string;
  issuer: string;
  audience: string;
  /** Accepted signature algorithms; `none` never is. */
  algorithms: string[];
  /** The claim that names the tenant (a tenant id). */
  tenantClaim: string;
  clockToleranceSeconds?: number;
}

export interface VerifiedToken {
  subject: string;
  tenantId: string;
  scope: string;
}

export type JwtVerifier = (token: string) => Promise<VerifiedToken>;

/**
 * Verifies access tokens of an external authorization server (SMART Backend Services style):
 * signature against its JWKS, `iss`, `aud`, `exp` and `nbf`, the algorithm pinned.
 */
export function createJwtVerifier(settings: JwtSettings): JwtVerifier {
  const keys: JWTVerifyGetKey = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl))
    : createLocalJWKSet(JSON.parse(readFileSync(settings.jwksFile ?? '', 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
  const algorithms = settings.algorithms.filter((alg) => alg.toLowerCase() !== 'none');
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms,
        clockTolerance: settings.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      });
      const tenantId = payload[settings.tenantClaim];
      if (typeof tenantId !== 'string' || typeof payload.sub !== 'string') throw new AuthenticationError('invalid_token');
      return { subject: payload.sub, tenantId, scope: typeof payload.scope === 'string' ? payload.scope : '' };
    } catch (err) {
      if (err instanceof AuthenticationError) throw err;
      throw new AuthenticationError(err instanceof errors.JWTExpired ? 'expired' : 'invalid_token');
    }
  };
}
