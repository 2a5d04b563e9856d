import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { portBelowEphemeralRange } from '../helpers/test-port';

const ROOT = path.resolve(__dirname, '../..');
const BOOTSTRAP_KEY = 'bootstrap-key-for-the-shutdown-test';

/** Starts the real entry point (src/main.ts through tsx) on a free port with embedded PGlite. */
function startServer(
  port: number,
  dataDir: string,
  settings: Record<string, string>,
): { child: ChildProcessWithoutNullStreams; output: () => string; listening: Promise<void> } {
  const env = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, ...settings } as NodeJS.ProcessEnv;
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env });
  let output = '';
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${output}`)));
  });
  return { child, output: () => output, listening };
}

test('npm start announces the embedded database and the bootstrap key, the key works, and SIGTERM lets an in-flight request finish, then exits 0', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fhir-shutdown-'));
  const port = portBelowEphemeralRange();
  // Stops accepting 100 ms after SIGTERM: the request below is still open then.
  const server = startServer(port, dataDir, { SHUTDOWN_DELAY_MS: '100' });
  try {
    await server.listening;
    expect(server.output()).toContain('embedded PostgreSQL (PGlite)');
    expect(server.output()).toContain('BOOTSTRAP_API_KEY: an all-scopes key for the default tenant is in place');
    expect(server.output()).not.toContain(BOOTSTRAP_KEY);
    expect(server.output()).toContain('lab orders go to a sandbox');

    const body = JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Draining' }] });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/fhir/R4/Patient',
          headers: { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${BOOTSTRAP_KEY}` },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      // Half the body now, SIGTERM while the request is open, the rest afterwards.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', resolve));

    const result = await response;
    expect(result.status).toBe(201);
    expect(JSON.parse(result.body).name[0].family).toBe('Draining');
    expect(await exited).toBe(0);
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

interface Outcome {
  status?: number;
  body?: string;
  /** ECONNRESET, ECONNREFUSED, …: the request was dropped. */
  error?: string;
}

function send(port: number, method: string, requestPath: string, agent: http.Agent | false, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${BOOTSTRAP_KEY}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(body) });
    const req = http.request({ host: '127.0.0.1', port, method, path: requestPath, headers, agent }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a burst arriving after SIGTERM, during the delay, is served in full: not ready, no reset, every write stored', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fhir-shutdown-'));
  const port = portBelowEphemeralRange();
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const server = startServer(port, dataDir, { SHUTDOWN_DELAY_MS: '2500' });
  try {
    await server.listening;
    // Keep-alive connections opened before the signal, as a load balancer's pool would hold.
    await Promise.all(Array.from({ length: 4 }, () => send(port, 'GET', '/healthz', keepAlive)));
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', resolve));
    server.child.kill('SIGTERM');
    await sleep(100);
    expect(await send(port, 'GET', '/readyz', false)).toMatchObject({ status: 503, body: '{"status":"shutting_down"}' });

    const burst: Promise<Outcome>[] = [];
    for (let i = 0; i < 40; i += 1) {
      const body = JSON.stringify({ resourceType: 'Patient', name: [{ family: `Burst${i}` }] });
      burst.push(send(port, 'POST', '/fhir/R4/Patient', i % 2 === 0 ? keepAlive : false, body));
      await sleep(40);
    }
    const outcomes = await Promise.all(burst);
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    expect(outcomes.map((o) => o.status)).toEqual(Array(40).fill(201));
    expect(await exited).toBe(0);

    // Every acknowledged write is there after a restart on the same data.
    const restarted = startServer(port, dataDir, {});
    try {
      await restarted.listening;
      for (const outcome of outcomes) {
        const { id, name } = JSON.parse(outcome.body ?? '{}') as { id: string; name: { family: string }[] };
        const read = await send(port, 'GET', `/fhir/R4/Patient/${id}`, false);
        expect(read.status).toBe(200);
        expect(JSON.parse(read.body ?? '{}').name).toEqual(name);
      }
    } finally {
      restarted.child.kill('SIGKILL');
    }
  } finally {
    keepAlive.destroy();
    server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
