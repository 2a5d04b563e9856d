/**
 * `npm run bench`: starts the server as production does (built, `node dist/src/main.js`) on a
 * database of its own on the PostgreSQL server of DATABASE_URL, starts the baseline servers,
 * seeds data, and drives every target from a separate load generator (wrk, else autocannon),
 * on 127.0.0.1 only. See docs/performance.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baselineEntry, baselinePatientBody, baselineTargets, BASELINE_SERVICES, type BaselineService } from './baselines';
import { analyze, createBaselineSchema, createBenchDatabase, dropSchema, postgresSettings, settingsLine, type BenchDatabase } from './database';
import { syntheaLikePatient } from './fixtures';
import { pickLoadGenerator } from './load';
import { measureInterleaved } from './measure';
import { freePort, startService, type Service } from './processes';
import { goals, goalsTable, markdownTable, summarize } from './report';
import { newResultsFile, provenance, writeResults } from './results-file';
import { serverScenarios } from './scenarios';
import { buildServer, startServer } from './server';
import { junctionEnv, newJunctionSettings, startJunctionSandbox } from './sandbox';
import { seed } from './seed';
import { readSettings, type BenchSettings } from './settings';

const API_KEY = `bench-${Date.now().toString(36)}-all-scopes-key`;
const BASELINE_SCHEMA = 'bench_baseline';
const ROOT = path.join(__dirname, '..');

async function main(): Promise<void> {
  const settings = readSettings();
  const generator = pickLoadGenerator(settings.loadGenerator);
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-bench-'));
  console.log(`load generator: ${generator.name} ${generator.version}; logs in ${logDir}`);
  if (!settings.skipBuild) buildServer();

  const database = await createBenchDatabase(settings.databaseUrl);
  const services: Record<string, Service> = {};
  try {
    const pg = await postgresSettings(database.url);
    console.log(`PostgreSQL (database ${database.name}): ${settingsLine(pg)}`);
    const pgIds = await createBaselineSchema(database.url, BASELINE_SCHEMA, syntheaLikePatient('baseline', 7), 1000);
    await startAll(services, settings, database, logDir);
    const server = services.server as Service;
    const startupPeakRssMb = server.peakRssMb();

    const started = Date.now();
    const seeded = await seed(`${server.baseUrl}/fhir/R4`, API_KEY, settings.patients);
    const seedSeconds = (Date.now() - started) / 1000;
    console.log(`seeded ${seeded.patients} Patients with orders, ${seeded.practitioners} Practitioners with roles in ${seedSeconds.toFixed(1)} s`);
    const medplumIds = await seedMedplum(services['medplum-router'] as Service, 200);
    await analyze(database.url);

    const targets = [
      ...baselineTargets({ pgIds, medplumIds, connections: settings.connections }),
      ...serverScenarios({
        seed: seeded,
        apiKey: API_KEY,
        connections: settings.connections,
        mixConnections: settings.mixConnections,
        junctionSandboxUrl: (services['junction-sandbox'] as Service).baseUrl,
      }),
    ].filter((t) => !settings.only || settings.only.test(t.name));
    const measured = await measureInterleaved(targets, services, generator, settings, Date.now().toString(36));
    const serverPeakRssMb = server.peakRssMb();
    const summaries = summarize(measured);
    const { ratios, goals: goalList } = goals(summaries, { startupPeakMb: startupPeakRssMb, peakMb: serverPeakRssMb });

    console.log(`\n${markdownTable(summaries)}\n\n${goalsTable(goalList)}\n`);
    for (const [name, value] of Object.entries(ratios)) console.log(`ratio ${name}: ${Number.isNaN(value) ? 'not measured' : value}`);
    const errors = summaries.filter((s) => s.errors > 0);
    if (!settings.smoke) {
      const file = newResultsFile();
      writeResults(file, {
        date: new Date().toISOString(),
        ...provenance(),
        loadGenerator: `${generator.name} ${generator.version}`,
        settings: { ...settings, databaseUrl: undefined, only: settings.only?.source },
        postgres: pg,
        seed: {
          patients: seeded.patients,
          serviceRequests: seeded.patients,
          practitioners: seeded.practitioners,
          practitionerRoles: seeded.practitioners,
          seconds: seedSeconds,
        },
        serverPeakRssMb,
        serverStartupPeakRssMb: startupPeakRssMb,
        results: summaries,
        ratios,
        goals: goalList,
      });
      console.log(`results written to ${path.relative(ROOT, file)}`);
    }
    if (errors.length > 0) {
      console.error(`errors in: ${errors.map((s) => `${s.name} (${s.errors})`).join(', ')}; server log: ${logDir}/server.log`);
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await dropSchema(database.url, BASELINE_SCHEMA).catch(() => undefined);
    await database.drop();
  }
}

async function startAll(services: Record<string, Service>, settings: BenchSettings, database: BenchDatabase, logDir: string): Promise<void> {
  const junction = newJunctionSettings(await freePort());
  services.server = await startServer({
    databaseUrl: database.url,
    apiKey: API_KEY,
    logDir,
    cpuProfileDir: settings.cpuProfileDir,
    env: junctionEnv(junction),
  });
  services['junction-sandbox'] = await startJunctionSandbox(
    junction,
    `${services.server.baseUrl}/webhooks/junction`,
    path.join(logDir, 'junction-sandbox.log'),
  );
  const base = { PATH: process.env.PATH, HOME: process.env.HOME };
  // The same server with no request log lines: what logging costs, measured in the same run.
  services['server-quiet-log'] = await startServer({
    databaseUrl: database.url,
    apiKey: API_KEY,
    logDir,
    name: 'server-quiet-log',
    env: { LOG_LEVEL: 'warn' },
  });
  await Promise.all(
    (Object.keys(BASELINE_SERVICES) as BaselineService[]).map(async (name) => {
      const port = await freePort();
      services[name] = await startService({
        name,
        command: process.execPath,
        args: ['--import', 'tsx', baselineEntry(name)],
        env: { ...base, ...BASELINE_SERVICES[name].env, PORT: String(port), DATABASE_URL: database.url, BASELINE_SCHEMA },
        readyPath: '/healthz',
        port,
        logFile: path.join(logDir, `${name}.log`),
      });
    }),
  );
}

/** The in-memory repository starts empty: Patients to read are created over HTTP first. */
async function seedMedplum(service: Service, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${service.baseUrl}/Patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: baselinePatientBody(`medplum-${i}`),
    });
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
