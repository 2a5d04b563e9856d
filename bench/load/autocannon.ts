import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { LoadGenerator, LoadResult } from './spec';

/** autocannon, for machines without wrk; each run in a child process of its own. */
export function autocannonGenerator(): LoadGenerator {
  const version = (createRequire(__filename)('autocannon/package.json') as { version: string }).version;
  const child = path.join(__dirname, 'autocannon-child.ts');
  return {
    name: 'autocannon',
    version,
    run: (spec, run) =>
      new Promise<LoadResult>((resolve, reject) => {
        // Specs with many bodies outgrow a command-line argument: they go through a file.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-autocannon-'));
        const input = path.join(dir, 'run.json');
        fs.writeFileSync(input, JSON.stringify({ spec, run }));
        execFile(process.execPath, ['--import', 'tsx', child, input], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
          fs.rmSync(dir, { recursive: true, force: true });
          const line = /AUTOCANNON_RESULT (\{.*\})/.exec(stdout)?.[1];
          if (err || !line) reject(new Error(`autocannon failed: ${err?.message ?? ''}\n${stderr}`));
          else resolve(JSON.parse(line) as LoadResult);
        });
      }),
  };
}
