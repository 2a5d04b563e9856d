import { autocannonGenerator } from './autocannon';
import type { LoadGenerator } from './spec';
import { findWrk, wrkGenerator } from './wrk';

/** wrk when it is installed, else autocannon; `BENCH_LOAD=autocannon` forces the latter. */
export function pickLoadGenerator(preference: string | undefined): LoadGenerator {
  const wrk = preference === 'autocannon' ? undefined : findWrk();
  return wrk ? wrkGenerator(wrk) : autocannonGenerator();
}
