import { cpuFigure, type CpuPerRequest } from './cpu-time';
import type { Measured } from './measure';

export interface Summary {
  name: string;
  group: 'baseline' | 'server';
  connections: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Transaction Bundles: resources written per second. */
  resourcesPerSecond?: number;
  /** µs of CPU per request in the process that answered, and in PostgreSQL (per Bundle for transaction Bundles). */
  serverCpuUs?: number;
  postgresCpuUs?: number;
  errors: number;
  runs: Array<{ rps: number; p50: number; p95: number; p99: number; errors: number } & CpuPerRequest>;
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The median of the figures there are; undefined when no repetition has one. */
function medianOfKnown(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : Math.round(median(known));
}

/** Each figure is the median of its own repetitions (the p99 median is not the p99 of the median run). */
export function summarize(measured: Measured[]): Summary[] {
  return measured.map(({ target, runs, errors }) => {
    const rps = median(runs.map((r) => r.rps));
    const serverCpuUs = medianOfKnown(runs.map((r) => r.serverCpuUs));
    const postgresCpuUs = medianOfKnown(runs.map((r) => r.postgresCpuUs));
    return {
      name: target.name,
      group: target.group,
      connections: target.connections,
      rps,
      p50: median(runs.map((r) => r.p50)),
      p95: median(runs.map((r) => r.p95)),
      p99: median(runs.map((r) => r.p99)),
      ...(target.resourcesPerRequest ? { resourcesPerSecond: rps * target.resourcesPerRequest } : {}),
      ...(serverCpuUs === undefined ? {} : { serverCpuUs }),
      ...(postgresCpuUs === undefined ? {} : { postgresCpuUs }),
      errors,
      runs: runs.map(({ rps: r, p50, p95, p99, errors: e, serverCpuUs: server, postgresCpuUs: postgres }) => ({
        rps: round(r),
        p50: round(p50),
        p95: round(p95),
        p99: round(p99),
        errors: e,
        serverCpuUs: server,
        postgresCpuUs: postgres,
      })),
    };
  });
}

/** The goals, as far as this run measures them (search goals are stated at 1M Patients; this run seeds fewer). */
/** The server's largest resident set (VmHWM) once it was ready, and at the end of the run. */
export interface ServerRss {
  startupPeakMb: number | undefined;
  peakMb: number | undefined;
}

export function goals(summaries: Summary[], rss: ServerRss): { ratios: Record<string, number>; goals: Goal[] } {
  const find = (name: string): Summary | undefined => summaries.find((s) => s.name === name);
  const ratio = (a: string, b: string): number => {
    const x = find(a);
    const y = find(b);
    return x && y && y.rps > 0 ? round(x.rps / y.rps, 3) : NaN;
  };
  const ratios = {
    'read / bare pg read': ratio('read Patient', 'node:http + pg read by id'),
    'read / Express fixed Patient': ratio('read Patient', 'Express 5 fixed Patient'),
    'create / bare durable insert': ratio('create Patient', 'node:http + pg durable insert'),
    'read / fhir-router memory read': ratio('read Patient', 'fhir-router + memory read'),
    'create / fhir-router memory create': ratio('create Patient', 'fhir-router + memory create'),
    'read / read without the door': ratio('read Patient', 'read Patient without the door'),
    'authentication, rate limit and log / without the door': ratio(
      'read Patient through authentication, rate limit and log only',
      'read Patient without the door',
    ),
    'read / read with LOG_LEVEL=warn': ratio('read Patient', 'read Patient (LOG_LEVEL=warn)'),
  };
  const doorCost = 1 - ratios['read / read without the door'];
  const goalDoorCost = 1 - ratios['authentication, rate limit and log / without the door'];
  const list: Goal[] = [
    { goal: 'read ≥ 0.5 × bare pg read', measured: fmt(ratios['read / bare pg read']), met: ratios['read / bare pg read'] >= 0.5 },
    { goal: 'read ≥ 0.9 × Express fixed Patient', measured: fmt(ratios['read / Express fixed Patient']), met: ratios['read / Express fixed Patient'] >= 0.9 },
    { goal: 'create ≥ 0.25 × bare durable insert', measured: fmt(ratios['create / bare durable insert']), met: ratios['create / bare durable insert'] >= 0.25 },
    {
      goal: 'authentication, rate limit and log cost ≤ 10% of read (on the bare read path, stricter than the whole server)',
      measured: Number.isNaN(goalDoorCost)
        ? 'not measured'
        : `${(100 * goalDoorCost).toFixed(0)}% (read through them only / read without the door ${fmt(1 - goalDoorCost)})`,
      met: goalDoorCost <= 0.1,
    },
    {
      goal: 'the whole door (also audit, request ids, security headers, media types, scopes) costs ≤ 10% of read',
      measured: Number.isNaN(doorCost) ? 'not measured' : `${(100 * doorCost).toFixed(0)}% (read / read without the door ${fmt(1 - doorCost)})`,
      met: doorCost <= 0.1,
    },
  ];
  const mix = find('CRUD mix (6 types)');
  if (mix)
    list.push({
      goal: 'CRUD mix ≥ 1,500 req/s, p99 < 100 ms (32 connections)',
      measured: `${mix.rps.toFixed(0)} req/s, p99 ${mix.p99.toFixed(0)} ms`,
      met: mix.rps >= 1500 && mix.p99 < 100,
    });
  const ingest = summaries.find((s) => s.resourcesPerSecond !== undefined);
  if (ingest?.resourcesPerSecond !== undefined)
    list.push({
      goal: 'ingest ≥ 5,000 resources/s (transaction Bundles)',
      measured: `${ingest.resourcesPerSecond.toFixed(0)} resources/s`,
      met: ingest.resourcesPerSecond >= 5000,
    });
  const searches = summaries.filter((s) => s.name.startsWith('search '));
  if (searches.length > 0) {
    const worst = searches.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    list.push({
      goal: 'indexed search p95 ≤ 20 ms (at this run’s size)',
      measured: `worst p95 ${worst.p95.toFixed(1)} ms (${worst.name})`,
      met: worst.p95 <= 20,
    });
  }
  if (rss.peakMb !== undefined) {
    list.push({
      goal: 'server RSS ≤ 300 MB',
      measured: `peak ${rss.peakMb} MB (${rss.startupPeakMb ?? '—'} MB by the end of start-up)`,
      met: rss.peakMb <= 300,
    });
  }
  return { ratios, goals: list };
}

export function markdownTable(summaries: Summary[]): string {
  const rows = summaries.map((s) => {
    const rate = s.resourcesPerSecond === undefined ? fmtInt(s.rps) : `${fmtInt(s.rps)} (${fmtInt(s.resourcesPerSecond)} resources/s)`;
    const cpu = `${cpuFigure(s.serverCpuUs)} | ${cpuFigure(s.postgresCpuUs)}`;
    return `| ${s.group === 'baseline' ? 'baseline: ' : ''}${s.name} | ${s.connections} | ${rate} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.p99.toFixed(1)} | ${cpu} | ${s.errors} |`;
  });
  return [
    '| target | connections | req/s | p50 ms | p95 ms | p99 ms | server CPU µs/req | PostgreSQL CPU µs/req | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

export function goalsTable(list: Goal[]): string {
  return ['| goal | this run | met |', '|---|---|---|', ...list.map((g) => `| ${g.goal} | ${g.measured} | ${g.met ? 'yes' : 'no'} |`)].join('\n');
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const fmt = (n: number): string => (Number.isNaN(n) ? 'not measured' : n.toFixed(2));
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
