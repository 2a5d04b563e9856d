import { createHash } from 'node:crypto';

/** Uniform in [0, 1). */
export type Random = () => number;

/** What every generated entity derives from its key: a stable UUID and a random stream of its own. */
export interface Derived {
  id: string;
  random: Random;
}

/**
 * A SHA-256 of `seed/key` gives both a UUID (v4-shaped, spread over the key space as real ids
 * are, not appended at a btree's right edge) and the 128-bit state of an sfc32 generator: any
 * entity can be rebuilt from its key alone, in any order, without holding the others.
 */
export function derive(seed: string, key: string): Derived {
  const hash = createHash('sha256').update(`${seed}/${key}`).digest();
  const hex = hash.toString('hex', 0, 16);
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[hash[8]! & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return { id, random: sfc32(hash.readUInt32LE(16), hash.readUInt32LE(20), hash.readUInt32LE(24), hash.readUInt32LE(28)) };
}

/** Chris Doty-Humphrey's Small Fast Counting generator (PractRand-clean, 32-bit arithmetic only). */
function sfc32(a: number, b: number, c: number, d: number): Random {
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
/** An integer in [low, high]. */
export const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
export const digits = (random: Random, count: number): string => String(between(random, 0, 10 ** count - 1)).padStart(count, '0');

/** A date (YYYY-MM-DD) uniformly between two years, inclusive. */
export function dateBetween(random: Random, fromYear: number, toYear: number): string {
  const from = Date.UTC(fromYear, 0, 1);
  const days = (Date.UTC(toYear + 1, 0, 1) - from) / 86_400_000;
  return new Date(from + Math.floor(random() * days) * 86_400_000).toISOString().slice(0, 10);
}
