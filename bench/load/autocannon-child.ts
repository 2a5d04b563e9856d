/**
 * Runs one autocannon measurement in a process of its own (the load must not share the
 * measuring process's event loop): reads `{ spec, run }` from the JSON file named in argv, prints one
 * `AUTOCANNON_RESULT {…}` line.
 */
import fs from 'node:fs';
import autocannon from 'autocannon';
import type { LoadRun, LoadSpec, RequestSpec } from './spec';

const { spec, run } = JSON.parse(fs.readFileSync(process.argv[2] ?? '', 'utf8')) as { spec: LoadSpec; run: LoadRun };
let counter = 0;
let next = 0;

function fresh(r: RequestSpec): { method: string; path: string; body?: string; headers: Record<string, string> } {
  const seq = `${run.runTag}-${++counter}`;
  const headers = Object.fromEntries(Object.entries({ ...spec.headers, ...r.headers }).map(([name, value]) => [name, value.replaceAll('@SEQ@', seq)]));
  return { method: r.method, path: r.path.replaceAll('@SEQ@', seq), body: r.body?.replaceAll('@SEQ@', seq), headers };
}
const rotate = (): RequestSpec => spec.requests[next++ % spec.requests.length] as RequestSpec;

const locationOf = (headers: Record<string, string>): string | undefined =>
  /^https?:\/\/[^/]+(\/.*?)\/_history\//.exec(headers.location ?? headers.Location ?? '')?.[1];

const requests: autocannon.Request[] = spec.crudChains
  ? [
      {
        setupRequest: (_req, context) => {
          const request = fresh(rotate());
          context.body = request.body;
          return request;
        },
        onResponse: (_status, _body, context, headers) => {
          context.location = locationOf(headers);
        },
      },
      { setupRequest: (req, context) => ({ ...req, method: 'GET', path: String(context.location ?? '/missing') }) },
      {
        setupRequest: (req, context) => {
          const location = String(context.location ?? '/missing');
          const id = location.split('/').pop() ?? '';
          return { ...req, method: 'PUT', path: location, body: `{"id":"${id}",${String(context.body).slice(1)}` };
        },
      },
      { setupRequest: (req, context) => ({ ...req, method: 'DELETE', path: String(context.location ?? '/missing'), body: undefined }) },
    ]
  : [{ setupRequest: () => fresh(rotate()) }];

const latencies: number[] = [];
const instance = autocannon(
  { url: run.baseUrl, connections: run.connections, duration: run.seconds, timeout: 10, headers: spec.headers, requests },
  (err, result) => {
    if (err) throw err;
    latencies.sort((a, b) => a - b);
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    const seconds = result.duration;
    const total = result.requests.total;
    const errors = result.errors + result.timeouts + result['4xx'] + result['5xx'];
    process.stdout.write(
      `AUTOCANNON_RESULT ${JSON.stringify({ requests: total, seconds, rps: total / seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99), errors })}\n`,
    );
  },
);
instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
