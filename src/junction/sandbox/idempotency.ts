import { createHash } from 'node:crypto';
import { byCodeUnits } from '../../code-unit-order';

/**
 * Junction's `X-Idempotency-Key` on `POST /v3/order`: the first result is stored and replayed
 * (status and body); nothing is stored for a validation failure or for a request that met the
 * same key still in flight. A different body under a stored key is refused, as Stripe does.
 * https://docs.junction.com/lab/overview/idempotency
 */
export type Claim = { kind: 'claimed' } | { kind: 'replay'; status: number; body: unknown } | { kind: 'in_flight' } | { kind: 'different_request' };

interface Entry {
  fingerprint: string;
  /** The body as JSON text: a copy no caller can change, and a fraction of the memory of the object it was. */
  result?: { status: number; body: string };
}

export class IdempotencyKeys {
  private readonly entries = new Map<string, Entry>();

  claim(key: string, fingerprint: string): Claim {
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { fingerprint });
      return { kind: 'claimed' };
    }
    if (entry.fingerprint !== fingerprint) return { kind: 'different_request' };
    if (!entry.result) return { kind: 'in_flight' };
    return { kind: 'replay', status: entry.result.status, body: JSON.parse(entry.result.body) as unknown };
  }

  complete(key: string, status: number, body: unknown): void {
    const entry = this.entries.get(key);
    if (entry) entry.result = { status, body: JSON.stringify(body) };
  }

  release(key: string): void {
    this.entries.delete(key);
  }
}

/** SHA-256 of the body with object keys sorted, so key order does not make a request different. */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => byCodeUnits(a, b))
      .map(([k, v]) => [k, canonical(v)]),
  );
}
