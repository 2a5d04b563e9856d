import type { NextFunction, Request, Response } from 'express';
import { AuthenticationError, type Authenticator, type Credential, type Principal } from '../auth/authenticator';
import { ProblemError } from '../problems/problem';

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated caller; absent only on open paths called without credentials. */
    principal?: Principal;
  }
}

const REALM = 'Bearer realm="fhir-facade"';

/**
 * Who is calling: `Authorization: Bearer <API key or JWT>` or `x-api-key: <API key>`. The
 * principal's tenant becomes the request's tenant. Without valid credentials: 401 with
 * `WWW-Authenticate` (RFC 6750), in the path's error shape. On `isOpen` paths credentials are
 * optional, but a credential that is sent must be valid.
 */
export function authenticate(authenticator: Authenticator, isOpen: (req: Request) => boolean) {
  const admit = (req: Request, principal: Principal, next: NextFunction): void => {
    req.principal = principal;
    req.tenantId = principal.tenantId;
    next();
  };
  // A key verified moments ago is admitted without a promise: most requests carry one.
  return (req: Request, _res: Response, next: NextFunction): Promise<void> | void => {
    const credential = credentialOf(req);
    if (!credential) return isOpen(req) ? next() : next(unauthorized(new AuthenticationError('missing')));
    const known = authenticator.knownKey(credential);
    if (known) return admit(req, known, next);
    return authenticator.authenticate(credential).then(
      (principal) => admit(req, principal, next),
      (err: unknown) => {
        if (!(err instanceof AuthenticationError)) throw err;
        next(unauthorized(err));
      },
    );
  };
}

function credentialOf(req: Request): Credential | undefined {
  const apiKey = req.get('x-api-key');
  if (apiKey !== undefined) return { kind: 'apiKey', value: apiKey.trim() };
  const authorization = req.get('authorization');
  if (authorization === undefined) return undefined;
  const bearer = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
  return { kind: 'bearer', value: bearer ?? '' };
}

const MESSAGES: Record<AuthenticationError['reason'], string> = {
  missing: 'Credentials are required: send Authorization: Bearer <API key or token> or x-api-key: <API key>',
  malformed: 'The credentials are malformed: send Authorization: Bearer <API key or token> or x-api-key: <API key>',
  unknown: 'The API key is not valid',
  revoked: 'The API key has been revoked',
  expired: 'The access token has expired',
  invalid_token: 'The access token is not valid',
};

function unauthorized(err: AuthenticationError): ProblemError {
  // RFC 6750 §3.1: no error code when the request carried no credentials at all.
  const challenge = err.reason === 'missing' ? REALM : `${REALM}, error="invalid_token"`;
  return new ProblemError({ kind: 'unauthorized', code: 'unauthorized', message: MESSAGES[err.reason], headers: { 'WWW-Authenticate': challenge } });
}
