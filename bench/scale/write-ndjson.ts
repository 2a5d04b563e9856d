import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { KINDS } from './population';

export interface NdjsonFile {
  type: string;
  file: string;
  resources: number;
}

/**
 * Writes what a population of `from` Patients lacks to reach `to`, one NDJSON file per type
 * (as Bulk Data exports them), in load order. Streams: one resource in memory at a time.
 */
export async function writeGrowth(dir: string, from: number, to: number): Promise<NdjsonFile[]> {
  const files: NdjsonFile[] = [];
  for (const kind of KINDS) {
    const file = path.join(dir, `${kind.type}.ndjson`);
    const out = createWriteStream(file);
    let resources = 0;
    for (let index = kind.countAt(from); index < kind.countAt(to); index++) {
      for (const resource of kind.resourcesOf(index)) {
        resources++;
        if (!out.write(`${JSON.stringify(resource)}\n`)) await once(out, 'drain');
      }
    }
    out.end();
    await once(out, 'finish');
    if (resources > 0) files.push({ type: kind.type, file, resources });
  }
  return files;
}
