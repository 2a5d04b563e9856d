/** Why a request is not authenticated; never carries the credential itself. */
export type AuthenticationFailure = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired' | 'invalid_token';

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  constructor(readonly reason: AuthenticationFailure) {
    super(`authentication failed: ${reason}`);
  }
}
