import type { CurrentVersion } from './rows';

/**
 * The current version of the resources this process wrote last, bounded (the oldest entry goes
 * first): what an update or deletion outside a transaction starts from instead of reading it.
 * A guess, never trusted on its own: the write's statement replaces the current row only while
 * it is still that version, so a guess another writer made stale costs the read it saved (the
 * statement refuses itself, the write then locks and reads).
 *
 * That an entry exists is no guess: only committed writes are remembered, and a resource's row
 * is never removed (a deletion is a version), so its tenant holds that resource for good.
 */
export class LatestVersions {
  private readonly versions = new Map<string, CurrentVersion>();

  constructor(private readonly capacity = 10_000) {}

  remember(key: string, version: CurrentVersion): void {
    this.versions.delete(key);
    this.versions.set(key, version);
    if (this.versions.size > this.capacity) this.versions.delete(this.versions.keys().next().value as string);
  }

  /** Whether this process wrote the resource: its tenant holds a row of it. */
  holds(key: string): boolean {
    return this.versions.has(key);
  }

  recall(key: string): CurrentVersion | undefined {
    return this.versions.get(key);
  }

  forget(key: string): void {
    this.versions.delete(key);
  }
}
