import type { CurrentVersion } from './rows';

/**
 * The current version of the resources this process wrote last, bounded: what an update or
 * deletion outside a transaction starts from instead of reading it. A guess, never trusted on
 * its own: the write's statement replaces the current row only while it is still that version,
 * so a guess another writer made stale costs the read it saved (the statement refuses itself,
 * the write then locks and reads).
 *
 * That an entry exists is no guess: only committed writes are remembered, and a resource's row
 * is never removed (a deletion is a version), so its tenant holds that resource for good.
 *
 * Kept in two generations: once the newer holds `generation` entries it becomes the older, and
 * the older is dropped. Evicting one oldest entry at a time from a single `Map` costs a scan past
 * every entry deleted before it, microseconds a write once the map is full.
 */
export class LatestVersions {
  private newer = new Map<string, CurrentVersion>();
  private older = new Map<string, CurrentVersion>();

  constructor(private readonly generation = 5_000) {}

  remember(key: string, version: CurrentVersion): void {
    this.newer.set(key, version);
    if (this.newer.size < this.generation) return;
    this.older = this.newer;
    this.newer = new Map();
  }

  /** Whether this process wrote the resource: its tenant holds a row of it. */
  holds(key: string): boolean {
    return this.newer.has(key) || this.older.has(key);
  }

  recall(key: string): CurrentVersion | undefined {
    return this.newer.get(key) ?? this.older.get(key);
  }

  forget(key: string): void {
    this.newer.delete(key);
    this.older.delete(key);
  }
}
