import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { freePort, startService, type Service } from './processes';

const ROOT = path.join(__dirname, '..');

/** `npm run build`: the server is measured as it ships, from dist/. */
export function buildServer(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

export interface ServerOptions {
  databaseUrl: string;
  apiKey: string;
  logDir: string;
  /** Write the server's CPU profile (`node --cpu-prof`) into this directory. */
  cpuProfileDir?: string;
  /** The service's name (and its log file's), `server` unless a variant. */
  name?: string;
  /** Settings beyond the default configuration, for a variant (`LOG_LEVEL`, …). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The built server as `npm start` runs it (`node --enable-source-maps dist/src/main.js`), in the
 * default configuration but for two changes: the rate limit is raised so that it counts but
 * never refuses, and `BOOTSTRAP_API_KEY` gives it an all-scopes key.
 */
export async function startServer(options: ServerOptions): Promise<Service> {
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProfileDir)}`] : [];
  const port = await freePort();
  const name = options.name ?? 'server';
  return startService({
    name,
    command: process.execPath,
    args: ['--enable-source-maps', ...profile, path.join(ROOT, 'dist/src/main.js')],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: process.env.NODE_ENV,
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      RATE_LIMIT_POINTS: '1000000000',
      BOOTSTRAP_API_KEY: options.apiKey,
      ...options.env,
    },
    readyPath: '/readyz',
    port,
    logFile: path.join(options.logDir, `${name}.log`),
  });
}
