import { isPlausibleApiKey, hashApiKey } from './api-key-material';
import { AuthenticationError } from './authentication-error';
import type { JwtVerifier } from './jwt';
import { parseScopes, type Grants } from './scopes';

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

interface Cached {
  principal?: Principal;
  failure?: AuthenticationError['reason'];
  expires: number;
}

const MAX_CACHED = 10_000;
const TOUCH_EVERY_MS = 10_000;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Turns a credential into a Principal. API keys are looked up by their hash and cached for
 * `ttlMs` (default 5 s), so a key costs a database round trip at most once per that time;
 * revoking in this process takes effect at once, elsewhere within `ttlMs`. Bearer values
 * shaped like a JWT go to the token verifier.
 */
export class Authenticator {
  private readonly cache = new Map<string, Cached>();
  private readonly used = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: AuthenticatorOptions) {
    this.timer = setInterval(() => void this.flushUse(), TOUCH_EVERY_MS).unref();
  }

  async authenticate(credential: Credential): Promise<Principal> {
    if (credential.kind === 'bearer' && JWT.test(credential.value)) return this.fromToken(credential.value);
    if (!isPlausibleApiKey(credential.value)) throw new AuthenticationError('malformed');
    return this.fromKey(credential.value);
  }

  /** Forgets a key at once in this process (after the database has revoked it). */
  revoke(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.principal?.subject === keyId) this.cache.delete(hash);
  }

  /** Stops the background flush and writes the last use times. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushUse();
  }

  private async fromKey(key: string): Promise<Principal> {
    const hash = hashApiKey(key, this.options.pepper);
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.expires <= now) {
      entry = await this.lookUp(hash, now);
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(hash, entry);
    }
    if (!entry.principal) throw new AuthenticationError(entry.failure ?? 'unknown');
    this.used.add(entry.principal.subject);
    return entry.principal;
  }

  private async lookUp(hash: string, now: number): Promise<Cached> {
    const row = await this.options.store.findKey(hash);
    const negative = now + (this.options.negativeTtlMs ?? 1000);
    if (!row) return { failure: 'unknown', expires: negative };
    if (row.revoked) return { failure: 'revoked', expires: negative };
    const principal: Principal = { tenantId: row.tenantId, kind: 'api-key', subject: row.id, scopes: parseScopes(row.scopes) };
    return { principal, expires: now + (this.options.ttlMs ?? 5000) };
  }

  private async fromToken(token: string): Promise<Principal> {
    if (!this.options.jwt) throw new AuthenticationError('invalid_token');
    const verified = await this.options.jwt(token);
    if (!(await this.tenantExists(verified.tenantId))) throw new AuthenticationError('invalid_token');
    try {
      return { tenantId: verified.tenantId, kind: 'jwt', subject: verified.subject, scopes: parseScopes(verified.scope) };
    } catch {
      throw new AuthenticationError('invalid_token');
    }
  }

  private readonly tenants = new Map<string, number>();

  private async tenantExists(tenantId: string): Promise<boolean> {
    if ((this.tenants.get(tenantId) ?? 0) > Date.now()) return true;
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId);
    if (!uuid || !(await this.options.store.tenantExists(tenantId))) return false;
    this.tenants.set(tenantId, Date.now() + (this.options.ttlMs ?? 5000));
    return true;
  }

  private async flushUse(): Promise<void> {
    const ids = [...this.used];
    this.used.clear();
    await this.options.store.touchKeys(ids).catch(() => undefined);
  }
}
