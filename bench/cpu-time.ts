import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU time from /proc, for the CPU each request costs the process that answered and the
 * PostgreSQL server behind it. Requests per second on a machine the load generator, the server
 * and PostgreSQL share move with whatever else runs; the CPU a request costs each of them moves
 * far less, and says which of them bounds a target.
 */

/** What one request cost, on average over a measurement, in µs of CPU; undefined where /proc cannot tell. */
export interface CpuPerRequest {
  serverCpuUs?: number;
  postgresCpuUs?: number;
}

/** µs of CPU as the reports print it: a dash where it could not be read. */
export const cpuFigure = (us: number | undefined): string => (us === undefined ? '—' : Math.round(us).toLocaleString('en-US'));

/** Clock ticks per second of /proc's times (USER_HZ): 100 wherever Linux runs, asked once. */
const ticksPerSecond = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** What `/proc/<pid>/stat` tells of a process's CPU, in clock ticks. */
export interface ProcessTicks {
  command: string;
  /** User + system CPU of the process itself. */
  ticks: number;
  /** User + system CPU of its children that exited and that it waited for. */
  reaped: number;
}

/**
 * The command name and CPU ticks of a `/proc/<pid>/stat` line. The command stands in
 * parentheses and may itself hold spaces and parentheses: the fields start after the last `)`.
 */
export function parseStat(line: string): ProcessTicks | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // After the command: state (field 3) … utime (14), stime (15), cutime (16), cstime (17).
  const fields = line.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const reaped = Number(fields[13]) + Number(fields[14]);
  return Number.isFinite(ticks) && Number.isFinite(reaped) ? { command: line.slice(open + 1, close), ticks, reaped } : undefined;
}

function readStat(pid: number | string): ProcessTicks | undefined {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU time a process has used, all its threads, in ms. */
function processCpuMs(pid: number): number | undefined {
  const stat = readStat(pid);
  return stat && (stat.ticks * 1000) / ticksPerSecond;
}

/** The CPU ticks of every PostgreSQL process on this machine (postmaster, backends, WAL writer, checkpointer, …), by pid. */
function postgresTicks(): Map<string, ProcessTicks> | undefined {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const ticks = new Map<string, ProcessTicks>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat?.command === 'postgres') ticks.set(pid, stat);
  }
  return ticks;
}

/**
 * The CPU PostgreSQL spent since `before`, in ms. A process that started since counts whole; one
 * that exited since (a maintenance connection, a parallel VACUUM's workers) counts through the
 * postmaster, which waits for each of its children and adds their CPU to its own `reaped`, less
 * what it had spent before. Undefined when there is no PostgreSQL process to see (a server on
 * another host).
 */
function postgresCpuMsSince(before: Map<string, ProcessTicks> | undefined): number | undefined {
  const after = postgresTicks();
  if (!before || !after || after.size === 0) return undefined;
  let ticks = 0;
  for (const [pid, now] of after) {
    const then = before.get(pid);
    ticks += now.ticks - (then?.ticks ?? 0) + now.reaped - (then?.reaped ?? 0);
  }
  for (const [pid, then] of before) if (!after.has(pid)) ticks -= then.ticks;
  return (ticks * 1000) / ticksPerSecond;
}

/** Starts counting the CPU of `pid` and of PostgreSQL; `perRequest` divides what was spent since by the requests answered. */
export function startCpuMeter(pid: number): { perRequest(requests: number): CpuPerRequest } {
  const server = processCpuMs(pid);
  const postgres = postgresTicks();
  const perRequest = (ms: number | undefined, requests: number): number | undefined =>
    ms === undefined || requests === 0 ? undefined : Math.round((ms * 1000) / requests);
  return {
    perRequest: (requests) => {
      const serverNow = processCpuMs(pid);
      return {
        serverCpuUs: perRequest(server === undefined || serverNow === undefined ? undefined : serverNow - server, requests),
        postgresCpuUs: perRequest(postgresCpuMsSince(postgres), requests),
      };
    },
  };
}
