import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadGenerator, LoadResult } from './spec';
import { wrkScript } from './wrk-script';

/** The `wrk` binary on PATH, if there is one. */
export function findWrk(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function wrkGenerator(binary: string): LoadGenerator {
  const version = /wrk\s+(\S+)/.exec(spawnText(binary, ['--version']))?.[1] ?? 'unknown';
  return {
    name: 'wrk',
    version,
    async run(spec, run): Promise<LoadResult> {
      const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-wrk-')), 'load.lua');
      fs.writeFileSync(script, wrkScript(spec, run.runTag));
      // Chains keep state per wrk thread, so they get one connection per thread.
      const threads = spec.crudChains ? run.connections : Math.min(2, run.connections);
      const args = ['-t', String(threads), '-c', String(run.connections), '-d', `${run.seconds}s`, '--timeout', '10s', '-s', script, run.baseUrl];
      const output = await collect(binary, args);
      fs.rmSync(path.dirname(script), { recursive: true, force: true });
      const line = /WRK_RESULT (\{.*\})/.exec(output)?.[1];
      if (!line) throw new Error(`wrk printed no result:\n${output}`);
      const r = JSON.parse(line) as { requests: number; duration_us: number; p50: number; p95: number; p99: number; errors: number };
      const seconds = r.duration_us / 1e6;
      return { requests: r.requests, seconds, rps: r.requests / seconds, p50: r.p50 / 1000, p95: r.p95 / 1000, p99: r.p99 / 1000, errors: r.errors };
    },
  };
}

function spawnText(binary: string, args: string[]): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    // `wrk --version` prints its banner and exits 1.
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

function collect(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`wrk exited ${code}:\n${output}`))));
  });
}
