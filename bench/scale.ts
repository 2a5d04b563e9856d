/**
 * `npm run bench:scale`: grows a linked clinic population (bench/scale/) to each size of
 * BENCH_SCALE_SIZES Patients through the bulk path (`$import`) of the built server, on a
 * database of its own, and right after each load (no manual ANALYZE: the server keeps its own
 * statistics) measures the searches one request at a time. See docs/performance.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBenchDatabase, databaseSizeMb, postgresSettings, settingsLine, type BenchDatabase } from './database';
import type { Service } from './processes';
import { goalsTable } from './report';
import { newResultsFile, provenance, writeResults } from './results-file';
import { loadFiles } from './scale/load-files';
import { measureSearches } from './scale/measure-searches';
import { loadTable, p50Ratios, ratioTable, scaleGoals, searchTable, type SizeRun } from './scale/report';
import { SCALE_SEARCHES } from './scale/searches';
import { readScaleSettings, type ScaleSettings } from './scale/settings';
import { writeGrowth } from './scale/write-ndjson';
import { buildServer, startServer } from './server';

const API_KEY = `bench-${Date.now().toString(36)}-all-scopes-key`;

async function main(): Promise<void> {
  const settings = readScaleSettings();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-bench-scale-'));
  console.log(`sizes ${settings.sizes.join(', ')} Patients; server log and NDJSON files in ${workDir}`);
  if (!settings.skipBuild) buildServer();

  const database = await createBenchDatabase(settings.databaseUrl);
  let server: Service | undefined;
  try {
    const pg = await postgresSettings(database.url);
    console.log(`PostgreSQL (database ${database.name}): ${settingsLine(pg)}`);
    server = await startServer({ databaseUrl: database.url, apiKey: API_KEY, logDir: workDir, cpuProfileDir: settings.cpuProfileDir });
    const runs: SizeRun[] = [];
    const resultsFile = newResultsFile('scale-');
    let loaded = 0;
    for (const patients of settings.sizes) {
      runs.push(await growAndSearch(server, database, loaded, patients, settings, workDir));
      loaded = patients;
      // After every size, so that a long run cut short keeps what it measured.
      if (!settings.smoke) saveResults(resultsFile, settings, pg, runs);
    }

    console.log(`\n${[loadTable(runs), searchTable(runs), ratioTable(runs), goalsTable(scaleGoals(runs))].filter(Boolean).join('\n\n')}\n`);
    const failed = runs.some((r) => r.load.totals.rejected > 0 || r.searches.some((s) => s.errors > 0));
    if (failed) {
      console.error(`rejected resources or failed searches (above); server log: ${workDir}/server.log`);
      process.exitCode = 1;
    }
  } finally {
    await server?.stop();
    if (settings.keepDatabase) console.log(`database kept: ${database.url}`);
    else await database.drop();
  }
}

function saveResults(file: string, settings: ScaleSettings, postgres: Record<string, string>, runs: SizeRun[]): void {
  const record = { date: new Date().toISOString(), ...provenance(), settings: { ...settings, databaseUrl: undefined }, postgres, runs };
  writeResults(file, { ...record, p50Ratios: p50Ratios(runs), goals: scaleGoals(runs) });
  console.log(`results so far written to ${path.relative(process.cwd(), file)}`);
}

/** Loads what `from` Patients lack to reach `to` (with their clinicians, sites and orders), then searches at once. */
async function growAndSearch(server: Service, database: BenchDatabase, from: number, to: number, settings: ScaleSettings, workDir: string): Promise<SizeRun> {
  console.log(`\ngrowing to ${to.toLocaleString('en-US')} Patients`);
  const dir = fs.mkdtempSync(path.join(workDir, `grow-${to}-`));
  const generated = Date.now();
  const files = await writeGrowth(dir, from, to);
  const generateSeconds = (Date.now() - generated) / 1000;
  const load = await loadFiles(`${server.baseUrl}/fhir/R4/$import`, API_KEY, files, settings.inFlight);
  fs.rmSync(dir, { recursive: true, force: true });
  const { created, updated, unchanged, rejected } = load.totals;
  console.log(
    `  loaded in ${load.seconds.toFixed(1)} s (${load.resourcesPerSecond} resources/s): ${created} created, ${updated} updated, ${unchanged} unchanged, ${rejected} rejected`,
  );
  for (const r of load.rejected) console.error(`  rejected ${r.resource ?? `${path.basename(r.file)}:${r.line}`}: ${r.reason}`);
  const searches = await measureSearches(server.baseUrl, API_KEY, SCALE_SEARCHES, to, settings.rounds);
  const run = { patients: to, generateSeconds, load, serverPeakRssMb: server.peakRssMb(), databaseMb: await databaseSizeMb(database.url), searches };
  console.log(searchTable([run]));
  return run;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
