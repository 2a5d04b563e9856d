import { isPlausibleApiKey, hashApiKey } from './api-key-material';
import { AuthenticationError } from './authentication-error';
import type { JwtVerifier } from './jwt';
import { KeyCache, type Lookup } from './key-cache';
import { parseScopes, type Grants } from './scopes';
import { grantsOfToken } from './token-scopes';
import { isUuid } from '../uuid-text';

export { AuthenticationError };

export interface Credential {
  kind: 'apiKey' | 'bearer';
  value: string;
}

/** An authenticated caller. */
export interface Principal {
  tenantId: string;
  kind: 'api-key' | 'jwt';
  /** The key id, or the token's `sub`. */
  subject: string;
  /** The key id, for API keys. */
  keyId?: string;
  scopes: Grants;
}

/** What the authenticator needs from storage. */
export interface CredentialStore {
  findKey(keyHash: string): Promise<{ id: string; tenantId: string; scopes: string[]; revoked: boolean } | undefined>;
  tenantExists(tenantId: string): Promise<boolean>;
  touchKeys(ids: string[]): Promise<void>;
}

export interface AuthenticatorOptions {
  store: CredentialStore;
  pepper: string;
  jwt?: JwtVerifier;
  /** How long a verified key is trusted without asking the database: the revocation delay in other processes. */
  ttlMs?: number;
  /** How long an unknown key stays unknown. */
  negativeTtlMs?: number;
}

type KeyLookup = Lookup<Principal, 'unknown' | 'revoked'>;

const TOUCH_EVERY_MS = 10_000;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const isToken = (credential: Credential): boolean => credential.kind === 'bearer' && JWT.test(credential.value);

/**
 * Turns a credential into a Principal. API keys are looked up by their hash and cached for
 * `ttlMs` (default 5 s), so a key costs a database round trip at most once per that time;
 * revoking in this process takes effect at once, elsewhere within `ttlMs`. Bearer values
 * shaped like a JWT go to the token verifier.
 */
export class Authenticator {
  private readonly keys: KeyCache<Principal, 'unknown' | 'revoked'>;
  private readonly used = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: AuthenticatorOptions) {
    this.keys = new KeyCache({ ttlMs: options.ttlMs, negativeTtlMs: options.negativeTtlMs });
    this.timer = setInterval(() => void this.flushUse(), TOUCH_EVERY_MS).unref();
  }

  async authenticate(credential: Credential): Promise<Principal> {
    if (isToken(credential)) return this.fromToken(credential.value);
    if (!isPlausibleApiKey(credential.value)) throw new AuthenticationError('malformed');
    return this.fromKey(credential.value);
  }

  /**
   * The principal of an API key verified within `ttlMs`, at once; undefined when only
   * `authenticate` can tell (a key not cached or refused, a token).
   */
  knownKey(credential: Credential): Principal | undefined {
    if (isToken(credential)) return undefined;
    const lookup = this.keys.cached(credential.value);
    if (!lookup?.ok) return undefined;
    this.used.add(lookup.value.subject);
    return lookup.value;
  }

  /** Forgets a key at once in this process (after the database has revoked it). */
  revoke(keyId: string): void {
    this.keys.invalidate((principal) => principal.keyId === keyId);
  }

  /** Stops the background flush and writes the last use times. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushUse();
  }

  /** The cache is keyed by the key itself, so that its HMAC is computed only when the cache asks the database. */
  private async fromKey(key: string): Promise<Principal> {
    const lookup = await this.keys.get(key, () => this.lookUp(hashApiKey(key, this.options.pepper)));
    if (!lookup.ok) throw new AuthenticationError(lookup.reason);
    this.used.add(lookup.value.subject);
    return lookup.value;
  }

  private async lookUp(hash: string): Promise<KeyLookup> {
    const row = await this.options.store.findKey(hash);
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revoked) return { ok: false, reason: 'revoked' };
    return { ok: true, value: { tenantId: row.tenantId, kind: 'api-key', subject: row.id, keyId: row.id, scopes: parseScopes(row.scopes) } };
  }

  private async fromToken(token: string): Promise<Principal> {
    if (!this.options.jwt) throw new AuthenticationError('invalid_token');
    const verified = await this.options.jwt(token);
    if (!(await this.tenantExists(verified.tenantId))) throw new AuthenticationError('invalid_token');
    return { tenantId: verified.tenantId, kind: 'jwt', subject: verified.subject, scopes: grantsOfToken(verified.scope, { admin: false }) };
  }

  private readonly tenants = new Map<string, number>();

  private async tenantExists(tenantId: string): Promise<boolean> {
    if ((this.tenants.get(tenantId) ?? 0) > Date.now()) return true;
    if (!isUuid(tenantId) || !(await this.options.store.tenantExists(tenantId))) return false;
    this.tenants.set(tenantId, Date.now() + (this.options.ttlMs ?? 5000));
    return true;
  }

  private async flushUse(): Promise<void> {
    const ids = [...this.used];
    this.used.clear();
    await this.options.store.touchKeys(ids).catch(() => undefined);
  }
}
