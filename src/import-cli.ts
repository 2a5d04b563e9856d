/**
 * `npm run import -- [--url URL] [--report FILE] [--chunk N] FILE…`: loads NDJSON files and
 * Bundles (Synthea's as they come) into the running server through `$import` (docs/import.md).
 * Credentials: FHIR_API_KEY, else BOOTSTRAP_API_KEY. Exit 0 when everything loaded, 2 when some
 * resources were rejected (listed in the report file), 1 when the load could not finish.
 * Running it again after an interruption resumes: what is already stored is left unchanged.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Parameters } from '@medplum/fhirtypes';
import { addAnswer, emptyTotals, resourcesIn, summaryLine } from './importer/import-report';
import { chunksOf, countUnits, type Chunk } from './importer/read-chunks';
import { sendChunk } from './importer/send-chunk';

const USAGE = 'usage: npm run import -- [--url http://localhost:8080] [--report import-report.ndjson] [--chunk 1000] [--parallel 2] FILE…';

async function main(): Promise<number> {
  const { values, positionals: files } = parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string' }, report: { type: 'string' }, chunk: { type: 'string' }, parallel: { type: 'string' } },
  });
  if (files.length === 0) throw new Error(USAGE);
  const base = values.url ?? `http://localhost:${process.env.PORT ?? 8080}`;
  const importUrl = new URL('/fhir/R4/$import', base).toString();
  const linesPerChunk = Number(values.chunk ?? 1000);
  if (!Number.isSafeInteger(linesPerChunk) || linesPerChunk < 1) throw new Error(`--chunk must be a positive integer\n${USAGE}`);
  const parallel = Number(values.parallel ?? 2);
  if (!Number.isSafeInteger(parallel) || parallel < 1) throw new Error(`--parallel must be a positive integer\n${USAGE}`);
  const reportFile = values.report ?? 'import-report.ndjson';
  writeFileSync(reportFile, '');

  const total = await countUnits(files);
  const totals = emptyTotals();
  const started = Date.now();
  let done = 0;
  // Requests in flight overlap the server's validation of one chunk with the database's writing
  // of another; answers are taken in the order sent, so progress and the report follow the files.
  const inFlight: { file: string; chunk: Chunk; answer: Promise<Parameters> }[] = [];
  const takeOldest = async (): Promise<void> => {
    const { file, chunk, answer } = inFlight.shift()!;
    for (const rejected of addAnswer(totals, await answer, file, chunk.firstLine)) appendFileSync(reportFile, `${JSON.stringify(rejected)}\n`);
    done += chunk.lineCount;
    progress(file, done, total, resourcesIn(totals), (Date.now() - started) / 1000);
  };
  for (const file of files) {
    for await (const chunk of chunksOf(file, linesPerChunk)) {
      const answer = sendChunk(importUrl, process.env.FHIR_API_KEY ?? process.env.BOOTSTRAP_API_KEY, chunk);
      answer.catch(() => undefined); // awaited in turn by takeOldest; a failure ends the load there
      inFlight.push({ file, chunk, answer });
      if (inFlight.length >= parallel) await takeOldest();
    }
  }
  while (inFlight.length > 0) await takeOldest();
  const summary = summaryLine(totals, (Date.now() - started) / 1000);
  appendFileSync(reportFile, `${JSON.stringify({ summary: totals })}\n`);
  process.stderr.write(process.stderr.isTTY ? '\n' : '');
  process.stdout.write(`${summary}\nreport: ${reportFile}\n`);
  return totals.rejected > 0 ? 2 : 0;
}

function progress(file: string, done: number, total: number, resources: number, seconds: number): void {
  const rate = resources / Math.max(seconds, 0.001);
  const eta = done > 0 ? ((total - done) * seconds) / done : 0;
  const line = `${file}: ${done}/${total} lines (${Math.floor((100 * done) / Math.max(total, 1))}%) · ${Math.round(rate)} resources/s · ETA ${Math.ceil(eta)} s`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
