import { cpuFigure, startCpuMeter, type CpuPerRequest } from './cpu-time';
import type { LoadGenerator, LoadResult } from './load/spec';
import type { Service } from './processes';
import type { BenchSettings } from './settings';
import type { Target } from './target';

const MAX_RETRY_SECONDS = 8;

/** One measurement, and the CPU its requests cost the process that answered and PostgreSQL. */
export type MeasuredRun = LoadResult & CpuPerRequest;

export interface Measured {
  target: Target;
  runs: MeasuredRun[];
  /** Errors in the warm-up too: an error is an error. */
  errors: number;
}

/**
 * A warm-up pass over every target, then the repetitions interleaved (A B C, A B C, …) so that
 * drift on a shared machine spreads over all targets instead of landing on one.
 */
export async function measureInterleaved(
  targets: Target[],
  services: Record<string, Service>,
  generator: LoadGenerator,
  settings: BenchSettings,
  runTag: string,
): Promise<Measured[]> {
  const measured = targets.map((target) => ({ target, runs: [] as MeasuredRun[], errors: 0 }));
  const once = async (m: Measured, seconds: number, pass: string): Promise<MeasuredRun> => {
    const service = services[m.target.service];
    if (!service) throw new Error(`no service ${m.target.service}`);
    const measure = async (duration: number, tag: string): Promise<MeasuredRun> => {
      const cpu = startCpuMeter(service.pid);
      const result = await generator.run(m.target.spec, { baseUrl: service.baseUrl, seconds: duration, connections: m.target.connections, runTag: tag });
      return { ...result, ...cpu.perRequest(result.requests) };
    };
    let result = await measure(seconds, `${runTag}${pass}`);
    // Requests slower than a short (smoke) measurement finish after it and are not counted:
    // measure longer. Still no answer after that is a failure (a hung server shows as this).
    for (let longer = seconds * 2; result.requests === 0 && longer <= MAX_RETRY_SECONDS; longer *= 2) {
      result = await measure(longer, `${runTag}${pass}x${longer}`);
    }
    m.errors += result.errors + (result.requests === 0 ? 1 : 0);
    const settled = m.target.settle ? `  settled in ${(await m.target.settle()).toFixed(1)} s` : '';
    const line = `${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(1)}  p95 ${result.p95.toFixed(1)}  p99 ${result.p99.toFixed(1)} ms`;
    const cpu = `  CPU µs/req: server ${cpuFigure(result.serverCpuUs)}, PostgreSQL ${cpuFigure(result.postgresCpuUs)}`;
    console.log(
      `  [${pass}] ${m.target.name.padEnd(52)} ${line}${cpu}${result.errors ? `  ERRORS ${result.errors}` : ''}${result.requests === 0 ? '  NO ANSWERS' : ''}${settled}`,
    );
    return result;
  };
  if (settings.warmupSeconds > 0) for (const m of measured) await once(m, settings.warmupSeconds, 'w');
  for (let rep = 1; rep <= settings.repetitions; rep++) {
    for (const m of measured) m.runs.push(await once(m, settings.seconds, `r${rep}`));
  }
  return measured;
}
