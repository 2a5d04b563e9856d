/**
 * Where a CPU profile (`node --cpu-prof`, as `BENCH_CPU_PROF=dir npm run bench` writes for the
 * server) spends its time: self time by function and by package or source folder, and time by
 * layer of a request (each sample charged to the innermost frame on its stack that belongs to
 * one of LAYERS: what the door's layers cost, with whatever they call).
 * Usage: `npx tsx bench/profile-summary.ts file.cpuprofile [top] [last-seconds]` — the last
 * argument keeps only the samples of the final seconds (the measurement, not start-up and seeding).
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Source files and packages of each layer a read passes, door first; database work is its own line, whoever asked for it. */
const LAYERS: [string, RegExp][] = [
  ['request id', /src\/http\/request-context/],
  ['security headers (helmet)', /node_modules\/helmet\//],
  ['request log (pino)', /src\/http\/request-log|node_modules\/(pino|sonic-boom|@pinojs)\//],
  ['authentication', /src\/http\/authenticate|src\/auth\//],
  ['rate limit', /rate-limit/],
  ['audit trail', /src\/fhir\/audit\/|src\/store\/audit-log/],
  ['media types, body parsers', /src\/http\/(fhir-media|json-guard|ndjson-body)|node_modules\/(body-parser|type-is|raw-body)\//],
  ['database client (knex, pg)', /node_modules\/(knex|pg|pg-protocol|pg-types|postgres-date|tarn)\//],
  ['FHIR router, service, store', /src\/(fhir|store)\/|src\/http\/fhir-router/],
  ['response (sendResult, express res)', /src\/http\/send-resource|express\/lib\/response/],
  ['express routing', /node_modules\/(router|express|path-to-regexp|parseurl|finalhandler|on-finished)\//],
];

/**
 * A socket write's system call, sampled by wall time: on a loopback it also runs the receiver's
 * side, and a process it wakes (PostgreSQL, the load generator) may take the CPU before the call
 * returns, so part of its samples are time the thread waited, not CPU. Under `perf` the server's
 * kernel time (every system call, the loopback's receiving side) was 22% of its CPU where these
 * samples were 46% of the busy ones.
 */
const SOCKET_WRITE = /^write(v|Buffer|Utf8String|Latin1String|AsciiString)$/;

function layerOf(leaf: number): string {
  const frame = byId.get(leaf)?.callFrame;
  const vm = frame?.functionName ?? '';
  if (['(garbage collector)', '(idle)', '(program)'].includes(vm)) return vm;
  if (SOCKET_WRITE.test(vm) && !frame?.url) return 'socket writes (wall time, waits for a CPU included)';
  for (let id: number | undefined = leaf; id !== undefined; id = parentOf.get(id)) {
    const url = byId.get(id)?.callFrame.url ?? '';
    const layer = LAYERS.find(([, pattern]) => pattern.test(url));
    if (layer) return layer[0];
  }
  return 'elsewhere (node:http, sockets, timers)';
}

const [file, topArg, lastArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts file.cpuprofile [top]');
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const top = Number(topArg ?? 25);
const timeOf: number[] = [];
profile.timeDeltas.reduce((t, delta, k) => (timeOf[k] = t + delta), 0);
const since = lastArg ? (timeOf[timeOf.length - 1] ?? 0) - Number(lastArg) * 1e6 : -Infinity;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfByFunction = new Map<string, number>();
const selfByArea = new Map<string, number>();
const byLayer = new Map<string, number>();
const parentOf = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((child) => [child, n.id] as const)));
let total = 0;
profile.samples.forEach((id, k) => {
  const node = byId.get(id);
  const micros = profile.timeDeltas[k] ?? 0;
  if (!node || (timeOf[k] ?? 0) < since) return;
  total += micros;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist)\//, '$1/');
  const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + micros);
  selfByArea.set(areaOf(url, functionName), (selfByArea.get(areaOf(url, functionName)) ?? 0) + micros);
  const layer = layerOf(id);
  byLayer.set(layer, (byLayer.get(layer) ?? 0) + micros);
});

/** A package under node_modules, a folder of our source, node internals, or the VM's own entries (GC, idle). */
function areaOf(url: string, functionName: string): string {
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /dist\/(src\/[^/]+|mappings|migrations)/.exec(url)?.[1];
  if (own) return own.replace(/\.js$/, '');
  if (url.startsWith('node:')) return 'node internals';
  return url ? 'other' : `(${functionName.replace(/[()]/g, '')})`;
}

const print = (title: string, map: Map<string, number>): void => {
  console.log(`\n${title}`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`);
};
console.log(`${(total / 1e6).toFixed(1)} s sampled`);
print('self time by area', selfByArea);
print('self time by function', selfByFunction);
print('time by layer (innermost layer on the stack)', byLayer);
