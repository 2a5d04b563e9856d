import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** Generated keys start with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'fhk_';

/** A new key: 256 random bits, base64url. Shown once; only its hash is stored. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * The stored form of a key: HMAC-SHA256 under the server's pepper. A slow password hash
 * (bcrypt, scrypt) defends low-entropy secrets against guessing; a 256-bit random key cannot
 * be guessed, so one fast keyed hash suffices, and it lets a key be found by an index lookup.
 * The pepper (API_KEY_PEPPER) keeps a stolen database from verifying keys on its own.
 */
export function hashApiKey(key: string, pepper: string): string {
  return createHmac('sha256', secretOf(pepper)).update(key).digest('hex');
}

/** The pepper as a key object, made once: HMAC with a string key prepares the key anew on every call. */
const secrets = new Map<string, KeyObject>();

function secretOf(pepper: string): KeyObject {
  let secret = secrets.get(pepper);
  if (secret === undefined) {
    secret = createSecretKey(Buffer.from(pepper, 'utf8'));
    secrets.set(pepper, secret);
  }
  return secret;
}

/** Printable ASCII of a plausible length: anything else is malformed, not merely unknown. */
export function isPlausibleApiKey(value: string): boolean {
  return /^[\x21-\x7e]{16,256}$/.test(value);
}
