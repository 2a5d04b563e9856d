/**
 * Resources whose write lost a race a moment ago, remembered for a short while: their next
 * writes lock the current row at once instead of trying one statement over a version that
 * another writer is about to replace (refused, then locking anyway). Bounded: the oldest
 * entry goes first.
 */
export class ContendedResources {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly rememberMs = 1_000,
    private readonly capacity = 1_000,
  ) {}

  mark(key: string): void {
    this.until.delete(key);
    this.until.set(key, Date.now() + this.rememberMs);
    if (this.until.size > this.capacity) this.until.delete(this.until.keys().next().value as string);
  }

  has(key: string): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(key);
    return false;
  }
}
