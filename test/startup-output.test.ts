import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { portBelowEphemeralRange } from './helpers/test-port';

const ROOT = path.resolve(__dirname, '..');
const BOOTSTRAP_KEY = 'bootstrap-key-for-the-startup-output-test';
const BANNER_DONE = /front door[\s\S]*API key/;

// Each test starts the real server on a fresh embedded database (about 10 s alone, several times
// that while the rest of the suite runs beside it).
jest.setTimeout(180_000);

/**
 * Runs the real entry point (src/main.ts through tsx) with embedded PGlite until the banner is
 * out, then `whileUp` (given the port and the output so far), then stops it with SIGINT; its
 * stdout is a pseudo-terminal (`underTerminal`) or a pipe. The output is everything written
 * until the process exited.
 */
async function startupOutput(
  settings: Record<string, string>,
  underTerminal: boolean,
  // By default: the banner is one log record, let the rest of its line arrive.
  whileUp: (port: number, output: () => string) => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 200)),
): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fhir-startup-'));
  const port = portBelowEphemeralRange();
  const env = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, ...settings } as NodeJS.ProcessEnv;
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const server = `${JSON.stringify(process.execPath)} --import tsx src/main.ts`;
  // `script` gives the server a pseudo-terminal as stdout, as a developer's shell would.
  const child = underTerminal
    ? spawn('script', ['-qfec', server, '/dev/null'], { cwd: ROOT, env })
    : spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => {
        if (BANNER_DONE.test(output)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${output}`)));
    });
    await whileUp(port, () => output);
  } finally {
    child.kill('SIGINT');
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (giveUp = setTimeout(resolve, 5000)))]);
    clearTimeout(giveUp);
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
  return output;
}

interface LogRecord {
  msg: string;
  banner?: Record<string, string>;
  route?: string;
}

/** Log records of JSON-lines output (the lines that are not JSON, if any, left out). */
const recordsOf = (output: string): LogRecord[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);

test('piped start-up output is JSON lines, the last of them the banner with its URLs, database, Junction and key advice', async () => {
  const output = await startupOutput({}, false);
  expect(output.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'))).toEqual([]);
  const records = recordsOf(output);
  const banner = records.find((r) => r.banner)?.banner;
  expect(banner).toMatchObject({
    frontDoor: expect.stringMatching(/^http:\/\/localhost:\d+\/$/),
    fhirBase: expect.stringMatching(/\/fhir\/R4$/),
    docs: expect.stringMatching(/\/docs$/),
    database: expect.stringContaining('embedded PostgreSQL (PGlite)'),
    junction: expect.stringContaining('embedded sandbox'),
    apiKeys: 'bootstrap',
  });
  expect(output).not.toContain(BOOTSTRAP_KEY);
});

test('request lines are written in blocks, yet each is out within about a second, and what is left at exit is written', async () => {
  let beforeExit = '';
  const output = await startupOutput({}, false, async (port, outputSoFar) => {
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(answer.status).toBe(200);
    const deadline = Date.now() + 5000;
    while (!recordsOf(outputSoFar()).some((r) => r.msg === 'request') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    beforeExit = outputSoFar();
  });
  expect(recordsOf(beforeExit).filter((r) => r.msg === 'request')).toEqual([expect.objectContaining({ route: '/healthz' })]);
  // The shutdown's last lines are shorter than a block: only the exit writes them.
  expect(recordsOf(output).map((r) => r.msg)).toEqual(expect.arrayContaining(['shutting down: not ready, still serving until the delay is over', 'stopped']));
});

test('on a terminal the start-up output is pretty text ending with the banner', async () => {
  // eslint-disable-next-line no-control-regex
  const plain = (await startupOutput({}, true)).replace(/\u001b\[[0-9;]*m/g, '');
  expect(plain).toMatch(/INFO: listening on :\d+/);
  expect(plain).toMatch(/FHIR R4 facade server is ready\r?\n\s+front door\s+http:\/\/localhost:\d+\//);
  expect(plain).toMatch(/database\s+embedded PostgreSQL \(PGlite\)/);
  expect(plain).not.toMatch(/^\{"level"/m);
  expect(plain).not.toContain(BOOTSTRAP_KEY);
});

test('on a terminal LOG_FORMAT=json still gives JSON', async () => {
  const forced = await startupOutput({ LOG_FORMAT: 'json' }, true);
  expect(forced).toMatch(/^\{"level":30,.*"banner":\{/m);
});
