import { addAnswer, emptyTotals, resourcesIn, type ImportTotals, type RejectedLine } from '../../src/importer/import-report';
import { chunksOf } from '../../src/importer/read-chunks';
import { sendChunk } from '../../src/importer/send-chunk';
import type { NdjsonFile } from './write-ndjson';

/** Lines per `$import` request, as `npm run import` sends them. */
const LINES_PER_CHUNK = 1000;
const PROGRESS_EVERY_MS = 10_000;
const REJECTIONS_KEPT = 20;

export interface TypeLoad {
  type: string;
  resources: number;
  seconds: number;
  resourcesPerSecond: number;
}

export interface LoadOutcome {
  totals: ImportTotals;
  /** The first rejected resources, with the reason (every rejection counts in `totals`). */
  rejected: RejectedLine[];
  seconds: number;
  resourcesPerSecond: number;
  byType: TypeLoad[];
}

/**
 * Posts the files through `$import` as `npm run import` does (same chunking, same retries),
 * with up to `inFlight` requests at once, one file after the other so that each type's rate
 * is its own; prints progress while it runs.
 */
export async function loadFiles(importUrl: string, apiKey: string, files: readonly NdjsonFile[], inFlight: number): Promise<LoadOutcome> {
  const totals = emptyTotals();
  const rejected: RejectedLine[] = [];
  const byType: TypeLoad[] = [];
  const total = files.reduce((sum, f) => sum + f.resources, 0);
  const started = Date.now();
  let lastProgress = started;
  for (const { type, file, resources } of files) {
    const fileStarted = Date.now();
    const pending = new Set<Promise<void>>();
    for await (const chunk of chunksOf(file, LINES_PER_CHUNK)) {
      const sent: Promise<void> = sendChunk(importUrl, apiKey, chunk)
        .then((answer) => {
          for (const line of addAnswer(totals, answer, file, chunk.firstLine)) if (rejected.length < REJECTIONS_KEPT) rejected.push(line);
          if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
            lastProgress = Date.now();
            console.log(progressLine(type, resourcesIn(totals), total, (lastProgress - started) / 1000));
          }
        })
        .finally(() => pending.delete(sent));
      pending.add(sent);
      if (pending.size >= inFlight) await Promise.race(pending);
    }
    await Promise.all(pending);
    const seconds = (Date.now() - fileStarted) / 1000;
    byType.push({ type, resources, seconds, resourcesPerSecond: Math.round(resources / seconds) });
  }
  const seconds = (Date.now() - started) / 1000;
  return { totals, rejected, seconds, resourcesPerSecond: Math.round(resourcesIn(totals) / seconds), byType };
}

function progressLine(type: string, done: number, total: number, seconds: number): string {
  const rate = done / Math.max(seconds, 0.001);
  const eta = rate > 0 ? (total - done) / rate : 0;
  return `    ${type}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} resources · ${Math.round(rate)} resources/s · ETA ${Math.ceil(eta / 60)} min`;
}
