/** What a lookup found: a value, or why there is none (`unknown`, `revoked`, …). */
export type Lookup<T, R extends string> = { ok: true; value: T } | { ok: false; reason: R };

export interface KeyCacheOptions {
  /** How long a found value is trusted without a lookup: the revocation delay in other processes. Default 5 s. */
  ttlMs?: number;
  /** How long a miss is remembered: short, so a key made by another process soon works. Default 1 s. */
  negativeTtlMs?: number;
  /** Per kind (found, missed); the least recently used goes first. Default 10,000. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry<T, R extends string> {
  lookup: Lookup<T, R>;
  expires: number;
}

/**
 * Remembers the lookup of each credential as sent, so that a key costs a database round trip at most
 * once per `ttlMs`, however many requests carry it:
 * - concurrent lookups of one credential share one load;
 * - misses live in a map of their own, so a flood of made-up keys cannot evict the real ones;
 * - `invalidate` takes effect at once: a load already under way when it is called is not cached,
 *   since it may have read the row before the revocation committed.
 */
export class KeyCache<T, R extends string> {
  private readonly found = new Map<string, Entry<T, R>>();
  private readonly missed = new Map<string, Entry<T, R>>();
  private readonly loading = new Map<string, Promise<Lookup<T, R>>>();
  private generation = 0;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: KeyCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5000;
    this.negativeTtlMs = options.negativeTtlMs ?? 1000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The cached lookup of `credential`, or the result of `load` (cached, unless invalidated meanwhile; a rejection never is). */
  get(credential: string, load: () => Promise<Lookup<T, R>>): Promise<Lookup<T, R>> {
    const cached = this.cached(credential);
    if (cached) return Promise.resolve(cached);
    const pending = this.loading.get(credential);
    if (pending) return pending;
    const started = this.generation;
    const promise = load()
      .then((lookup) => {
        if (started === this.generation) this.remember(credential, lookup);
        return lookup;
      })
      .finally(() => {
        if (this.loading.get(credential) === promise) this.loading.delete(credential);
      });
    this.loading.set(credential, promise);
    return promise;
  }

  /** The lookup of `credential` while it is fresh, without waiting: what most requests need. */
  cached(credential: string): Lookup<T, R> | undefined {
    return this.fresh(this.found, credential) ?? this.fresh(this.missed, credential);
  }

  /** Forgets every found value that `matches`, and every load under way, at once. */
  invalidate(matches: (value: T) => boolean): void {
    this.generation += 1;
    this.loading.clear();
    for (const [credential, entry] of this.found) if (entry.lookup.ok && matches(entry.lookup.value)) this.found.delete(credential);
  }

  get size(): number {
    return this.found.size + this.missed.size;
  }

  private fresh(map: Map<string, Entry<T, R>>, credential: string): Lookup<T, R> | undefined {
    const entry = map.get(credential);
    if (!entry) return undefined;
    map.delete(credential);
    if (entry.expires <= this.now()) return undefined;
    map.set(credential, entry);
    return entry.lookup;
  }

  private remember(credential: string, lookup: Lookup<T, R>): void {
    const [map, other, ttl] = lookup.ok ? [this.found, this.missed, this.ttlMs] : [this.missed, this.found, this.negativeTtlMs];
    other.delete(credential);
    map.delete(credential);
    map.set(credential, { lookup, expires: this.now() + ttl });
    if (map.size > this.maxEntries) map.delete(map.keys().next().value as string);
  }
}
