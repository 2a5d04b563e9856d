/**
 * Latency and throughput of the main FHIR interactions against the real app on loopback:
 * `npm run bench` (embedded PGlite) or `DATABASE_URL=… npm run bench`. Bounded: a fixed
 * number of requests per scenario, a fixed concurrency, nothing but 127.0.0.1.
 */
import type { AddressInfo } from 'node:net';
import { bootstrap } from '../src/bootstrap';
import { loadConfig } from '../src/config';

const BENCH_KEY = 'bench-all-scopes-key-0000';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

interface Scenario {
  name: string;
  request(i: number): { method: string; path: string; body?: unknown };
}

async function main(): Promise<void> {
  const { app, database, close } = await bootstrap(
    loadConfig({ ...process.env, DATA_DIR: '', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', RATE_LIMIT_POINTS: '1000000', BOOTSTRAP_API_KEY: BENCH_KEY }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/R4`;
  const run = Date.now().toString(36);
  const ids: string[] = [];

  const scenarios: Scenario[] = [
    { name: 'create Patient', request: (i) => ({ method: 'POST', path: '/Patient', body: patient(run, i) }) },
    { name: 'read Patient', request: (i) => ({ method: 'GET', path: `/Patient/${ids[i % ids.length]}` }) },
    {
      name: 'update Patient',
      request: (i) => ({ method: 'PUT', path: `/Patient/${ids[i % ids.length]}`, body: { ...patient(run, i), id: ids[i % ids.length] } }),
    },
    { name: 'search family (prefix)', request: (i) => ({ method: 'GET', path: `/Patient?family=bench-${run}-${i % 50}&_count=10` }) },
    { name: 'search identifier', request: (i) => ({ method: 'GET', path: `/Patient?identifier=urn:bench|${run}-${i}` }) },
  ];

  console.log(`${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, ${database.describe}`);
  for (const scenario of scenarios) {
    // A running server refreshes planner statistics on its own (keepStatisticsFresh); a bench
    // that writes and then searches within seconds does it explicitly between scenarios.
    await database.knex.raw('ANALYZE');
    const result = await measure(base, scenario, (body) => {
      if (scenario.name === 'create Patient') ids.push((body as { id: string }).id);
    });
    console.log(
      `${scenario.name.padEnd(24)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(1)} ms  p95 ${result.p95.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  errors ${result.errors}`,
    );
  }
  server.close();
  await close();
}

function patient(run: string, i: number): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:bench', value: `${run}-${i}` }],
    name: [{ family: `bench-${run}-${i % 50}`, given: ['Alex'] }],
    birthDate: '1980-01-01',
  };
}

async function measure(base: string, scenario: Scenario, onBody: (body: unknown) => void) {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      const i = next++;
      const { method, path, body } = scenario.request(i);
      const t0 = performance.now();
      const res = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${BENCH_KEY}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await res.json();
      latencies.push(performance.now() - t0);
      if (res.status >= 400) errors++;
      else onBody(json);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: REQUESTS / seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99), errors };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
