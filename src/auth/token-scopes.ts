import { parseScopes, ScopeError, type Grants } from './scopes';

export interface TokenScopeOptions {
  /**
   * Whether a token's `admin` scope counts. `admin` manages every tenant's keys, and an external
   * authorization server may mean something else by a scope of that common name.
   */
  admin: boolean;
}

/**
 * The grants of an access token's `scope` claim. Unlike key scopes (checked strictly when a key
 * is made), a token's scopes come from an authorization server that also issues scopes meant for
 * others (`openid`, `profile`, `offline_access`, `launch/patient`, …): those are ignored, never a
 * reason to refuse the token. SMART allows ignoring out-of-order permissions too
 * (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html). A scope narrowed by
 * `?param=value` is ignored as well: granting it unnarrowed would widen it.
 */
export function grantsOfToken(scope: string, options: TokenScopeOptions): Grants {
  const kept = scope.split(' ').filter((s) => s !== '' && (s !== 'admin' || options.admin) && isScope(s));
  return parseScopes(kept);
}

function isScope(scope: string): boolean {
  try {
    parseScopes([scope]);
    return true;
  } catch (err) {
    if (err instanceof ScopeError) return false;
    throw err;
  }
}
