import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { portBelowEphemeralRange } from './helpers/test-port';

const ROOT = path.resolve(__dirname, '..');

// The server starts on a fresh embedded database before it binds its port (about 10 s alone).
jest.setTimeout(180_000);

/** A port held by another listener for the length of `use`. */
async function withPortTaken<T>(use: (port: number) => Promise<T>): Promise<T> {
  const holder = net.createServer();
  const port = await new Promise<number>((resolve, reject) => {
    const tryPort = (): void => {
      const candidate = portBelowEphemeralRange();
      holder.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? tryPort() : reject(err)));
      holder.listen(candidate, () => resolve(candidate));
    };
    tryPort();
  });
  try {
    return await use(port);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
}

/** Runs an entry point through tsx until it exits: its exit code and everything it wrote. */
function runToExit(entry: string, settings: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env, LOG_LEVEL: 'info', ...settings } as NodeJS.ProcessEnv;
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

const STACK_FRAME = /^\s+at /m;

test('the server exits 1 naming the port when it is taken, without a stack trace', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fhir-port-taken-'));
  try {
    await withPortTaken(async (port) => {
      const { code, output } = await runToExit('src/main.ts', { PORT: String(port), DATA_DIR: dataDir });
      expect(code).toBe(1);
      expect(output).toContain(`start-up failed: port ${port} is already in use: stop what holds it, or set PORT to another port`);
      expect(output).not.toMatch(STACK_FRAME);
      expect(output).not.toContain('Unhandled');
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the standalone Junction sandbox exits 1 naming its port setting when the port is taken', async () => {
  await withPortTaken(async (port) => {
    const { code, output } = await runToExit('src/junction/sandbox/main.ts', { JUNCTION_SANDBOX_PORT: String(port) });
    expect(code).toBe(1);
    expect(output).toContain(
      `junction sandbox failed to start: port ${port} is already in use: stop what holds it, or set JUNCTION_SANDBOX_PORT to another port`,
    );
    expect(output).not.toMatch(STACK_FRAME);
  });
});

test('the standalone Junction sandbox refuses a port setting that is no port, without a stack trace', async () => {
  const { code, output } = await runToExit('src/junction/sandbox/main.ts', { JUNCTION_SANDBOX_PORT: 'eighty' });
  expect(code).toBe(1);
  expect(output).toContain('junction sandbox failed to start: JUNCTION_SANDBOX_PORT must be a port number');
  expect(output).not.toMatch(STACK_FRAME);
});
