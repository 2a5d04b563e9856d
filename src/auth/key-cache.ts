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
 * Remembers credential lookups by key hash, so that a key costs a database round trip at most
 * once per `ttlMs`, however many requests carry it:
 * - concurrent lookups of one hash share one load;
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

  /** The cached lookup of `hash`, or the result of `load` (cached, unless invalidated meanwhile; a rejection never is). */
  get(hash: string, load: () => Promise<Lookup<T, R>>): Promise<Lookup<T, R>> {
    const cached = this.fresh(this.found, hash) ?? this.fresh(this.missed, hash);
    if (cached) return Promise.resolve(cached);
    const pending = this.loading.get(hash);
    if (pending) return pending;
    const started = this.generation;
    const promise = load()
      .then((lookup) => {
        if (started === this.generation) this.remember(hash, lookup);
        return lookup;
      })
      .finally(() => {
        if (this.loading.get(hash) === promise) this.loading.delete(hash);
      });
    this.loading.set(hash, promise);
    return promise;
  }

  /** Forgets every found value that `matches`, and every load under way, at once. */
  invalidate(matches: (value: T) => boolean): void {
    this.generation += 1;
    this.loading.clear();
    for (const [hash, entry] of this.found) if (entry.lookup.ok && matches(entry.lookup.value)) this.found.delete(hash);
  }

  get size(): number {
    return this.found.size + this.missed.size;
  }

  private fresh(map: Map<string, Entry<T, R>>, hash: string): Lookup<T, R> | undefined {
    const entry = map.get(hash);
    if (!entry) return undefined;
    map.delete(hash);
    if (entry.expires <= this.now()) return undefined;
    map.set(hash, entry);
    return entry.lookup;
  }

  private remember(hash: string, lookup: Lookup<T, R>): void {
    const [map, other, ttl] = lookup.ok ? [this.found, this.missed, this.ttlMs] : [this.missed, this.found, this.negativeTtlMs];
    other.delete(hash);
    map.delete(hash);
    map.set(hash, { lookup, expires: this.now() + ttl });
    if (map.size > this.maxEntries) map.delete(map.keys().next().value as string);
  }
}
