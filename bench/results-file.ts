import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the figures came from: commit, machine, runtime. */
export function provenance(): Record<string, unknown> {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  const cpus = os.cpus();
  return {
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    node: process.version,
  };
}

/**
 * A results file no earlier run wrote: bench/results/<prefix><YYYY-MM-DD>-<commit>.json, or
 * with `-2`, `-3`, … when a run of that commit that day is already there. Chosen once per run.
 */
export function newResultsFile(prefix = ''): string {
  const dir = path.join(__dirname, 'results');
  const stem = `${prefix}${new Date().toISOString().slice(0, 10)}-${String(provenance().commit).slice(0, 7)}`;
  for (let n = 1; ; n++) {
    const file = path.join(dir, n === 1 ? `${stem}.json` : `${stem}-${n}.json`);
    if (!fs.existsSync(file)) return file;
  }
}

export function writeResults(file: string, report: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
