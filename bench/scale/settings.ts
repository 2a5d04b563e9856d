import { numberSetting, requiredDatabaseUrl } from '../settings';

/** Every knob of `npm run bench:scale`, read once from the environment. */
export interface ScaleSettings {
  /** Patient counts to grow to, in order; the data of one size stays for the next. */
  sizes: number[];
  /** Requests per search at each size. */
  rounds: number;
  /** `$import` requests in flight while loading. */
  inFlight: number;
  databaseUrl: string;
  /** No results file. */
  smoke: boolean;
  skipBuild: boolean;
  cpuProfileDir: string | undefined;
  /** Leave the loaded database in place (its URL is printed) to study its plans afterwards. */
  keepDatabase: boolean;
}

export function readScaleSettings(env: NodeJS.ProcessEnv = process.env): ScaleSettings {
  const number = numberSetting(env);
  const sizes = (env.BENCH_SCALE_SIZES ?? '10000,100000,1000000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n, k) => !Number.isSafeInteger(n) || n < 1 || n <= (sizes[k - 1] ?? 0)))
    throw new Error('BENCH_SCALE_SIZES must be increasing positive integers, e.g. 10000,100000,1000000');
  return {
    sizes,
    rounds: Math.max(1, number('BENCH_SCALE_ROUNDS', 100)),
    inFlight: Math.max(1, number('BENCH_SCALE_IN_FLIGHT', 2)),
    databaseUrl: requiredDatabaseUrl(env),
    smoke: env.BENCH_SMOKE === '1',
    skipBuild: env.BENCH_SKIP_BUILD === '1',
    cpuProfileDir: env.BENCH_CPU_PROF || undefined,
    keepDatabase: env.BENCH_SCALE_KEEP === '1',
  };
}
