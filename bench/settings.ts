/** Every knob of `npm run bench`, read once from the environment (and `--smoke`). */
export interface BenchSettings {
  smoke: boolean;
  /** Length of one measurement. */
  seconds: number;
  /** Length of the unmeasured first pass over every target; 0 = none. */
  warmupSeconds: number;
  repetitions: number;
  connections: number;
  /** The CRUD mix runs at this many connections (the goal is stated at 32). */
  mixConnections: number;
  /** Patients seeded for the searches (each with one order; a Practitioner and role per 20). */
  patients: number;
  databaseUrl: string;
  /** `autocannon` forces it even where wrk is installed. */
  loadGenerator: string | undefined;
  /** Only targets whose name matches this pattern (profiling one scenario). */
  only: RegExp | undefined;
  /** Write the server's CPU profile (`node --cpu-prof`) into this directory. */
  cpuProfileDir: string | undefined;
  /** Reuse dist/ instead of running `npm run build`. */
  skipBuild: boolean;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): BenchSettings {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1';
  const number = numberSetting(env);
  return {
    smoke,
    seconds: number('BENCH_SECONDS', smoke ? 1 : 5),
    warmupSeconds: number('BENCH_WARMUP_SECONDS', smoke ? 0 : 2),
    repetitions: Math.max(1, number('BENCH_REPETITIONS', smoke ? 1 : 3)),
    connections: Math.max(1, number('BENCH_CONNECTIONS', 16)),
    mixConnections: Math.max(1, number('BENCH_MIX_CONNECTIONS', 32)),
    patients: Math.max(60, number('BENCH_PATIENTS', smoke ? 100 : 3000)),
    databaseUrl: requiredDatabaseUrl(env),
    loadGenerator: env.BENCH_LOAD || undefined,
    only: env.BENCH_ONLY ? new RegExp(env.BENCH_ONLY, 'i') : undefined,
    cpuProfileDir: env.BENCH_CPU_PROF || undefined,
    skipBuild: env.BENCH_SKIP_BUILD === '1',
  };
}

/** Reads a numeric variable (≥ 0), or its fallback when unset. */
export function numberSetting(env: NodeJS.ProcessEnv): (name: string, fallback: number) => number {
  return (name, fallback) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
    return value;
  };
}

export function requiredDatabaseUrl(env: NodeJS.ProcessEnv): string {
  const databaseUrl = env.DATABASE_URL ?? '';
  if (!databaseUrl)
    throw new Error('DATABASE_URL is required: the benchmark measures the server on a PostgreSQL server (it creates a database of its own there)');
  return databaseUrl;
}
