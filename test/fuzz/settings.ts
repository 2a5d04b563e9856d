/*
 * How the property-based fuzz tests (test/fuzz) run.
 *
 * - FUZZ_RUNS: runs per property. Default 25, a short bounded run inside `npm test` from a
 *   fixed seed (deterministic CI); `npm run fuzz` sets 2000 and draws fresh seeds. Some properties scale it down (lab orders reach the Junction sandbox).
 * - FUZZ_SEED (and FUZZ_PATH): replay a failure. On failure fast-check prints
 *   `{ seed: …, path: "…" }` and the shrunk counterexample; run the same file again with them:
 *     FUZZ_SEED=<seed> FUZZ_PATH=<path> npm test -- test/fuzz/<file>.test.ts -t '<test name>'
 *   With FUZZ_SEED alone the whole property is rerun from that seed.
 * - Failures also carry the exact HTTP request and response (see exchange.ts), which is all a
 *   reproduction needs.
 */
import type fc from 'fast-check';

const positive = (text: string | undefined, fallback: number): number => {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

export const RUNS = positive(process.env.FUZZ_RUNS, 25);
/**
 * Inside `npm test` (no FUZZ_RUNS, no FUZZ_SEED) the seed is fixed, so CI replays the same
 * inputs and stays deterministic; a run with FUZZ_RUNS (`npm run fuzz`) explores fresh seeds.
 */
const CI_SEED = 20261123;
const SEED =
  process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== ''
    ? Number(process.env.FUZZ_SEED)
    : process.env.FUZZ_RUNS === undefined
      ? CI_SEED
      : undefined;
const PATH = process.env.FUZZ_PATH || undefined;

/** The jest timeout of one property: generous, so that `npm run fuzz` is bounded by runs, not by jest. */
export function timeoutFor(scale = 1): number {
  return Math.max(60_000, Math.ceil(RUNS * scale) * 1_500);
}

/** fast-check parameters: FUZZ_RUNS (times `scale`), FUZZ_SEED / FUZZ_PATH when set. */
export function fuzzParams<T>(scale = 1): fc.Parameters<T> {
  const numRuns = Math.max(1, Math.ceil(RUNS * scale));
  return {
    numRuns,
    // Shrinking replays HTTP requests; stop before jest's timeout so the counterexample is still printed.
    interruptAfterTimeLimit: timeoutFor(scale) - 10_000,
    ...(SEED !== undefined && Number.isSafeInteger(SEED) ? { seed: SEED } : {}),
    ...(PATH !== undefined ? { path: PATH } : {}),
  };
}
