import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BOOTSTRAP_KEY = 'bootstrap-key-for-the-shutdown-test';

/** Starts the real entry point (src/main.ts through tsx) on a free port with embedded PGlite. */
function startServer(port: number, dataDir: string): { child: ChildProcessWithoutNullStreams; output: () => string; listening: Promise<void> } {
  const env = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } as NodeJS.ProcessEnv;
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
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = startServer(port, dataDir);
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
