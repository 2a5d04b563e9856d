import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { portBelowEphemeralRange } from './test-port';

/** A PostgreSQL server of a test's own, on its own port and data directory, that the test may stop and start. */
export interface PrivatePostgres {
  url: string;
  /** Like a crash: `pg_ctl stop -m immediate`, every connection cut at once. */
  stop(): void;
  start(): void;
  remove(): void;
}

/** The server binaries of the installed PostgreSQL (Debian keeps them off PATH). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error(`no PostgreSQL server under ${root}`);
  return path.join(root, version, 'bin');
}

/** initdb and postgres refuse to run as root: as root, run them as the postgres user. */
function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, argv, { stdio: 'pipe' });
}

const START_ATTEMPTS = 4;

export function createPrivatePostgres(): PrivatePostgres {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'private-pg-'));
  if (process.getuid?.() === 0)
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);

  const startOn = (port: number): void => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
    try {
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', log, '-w', 'start']);
    } catch (error) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-8).join('\n') : '(no log)';
      throw new Error(`${(error as Error).message}\n${tail}`);
    }
  };
  let port = portBelowEphemeralRange();
  for (let attempt = 1; ; attempt++) {
    try {
      startOn(port);
      break;
    } catch (error) {
      if (attempt === START_ATTEMPTS) throw error;
      port = portBelowEphemeralRange();
    }
  }
  const stop = (): void => run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start: () => startOn(port),
    remove: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
