import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** A process the benchmark started and measures over HTTP on 127.0.0.1. */
export interface Service {
  name: string;
  baseUrl: string;
  pid: number;
  /** Largest resident set so far (VmHWM), in MB; undefined where /proc is absent. */
  peakRssMb(): number | undefined;
  /** SIGINT, then waits for the exit (a CPU profile is written then). */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Path answered with 2xx once the service is ready. */
  readyPath: string;
  port: number;
  /** Where stdout and stderr go. */
  logFile: string;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, { env: options.env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  await waitUntilReady(child, `${baseUrl}${options.readyPath}`, options);
  return {
    name: options.name,
    baseUrl,
    pid: child.pid ?? 0,
    peakRssMb: () => peakRssMb(child.pid),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

async function waitUntilReady(child: ChildProcess, url: string, options: ServiceOptions): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}; see ${options.logFile}`);
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${options.name} did not become ready at ${url}; see ${options.logFile}`);
}

function peakRssMb(pid: number | undefined): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
