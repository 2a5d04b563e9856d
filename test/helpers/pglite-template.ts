import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/store/db';
import { migrateToLatest } from '../../src/store/migrate';

/** Where global-setup leaves the run's migrated embedded database for the test files to copy. */
const TEMPLATE_ENV = 'TEST_PGLITE_TEMPLATE';

/**
 * Migrates one in-memory PGlite and writes it to a file: each test file then opens a copy
 * (`openTemplateCopy`) instead of running `initdb` and the migrations itself, ~4.5 s less per
 * file. Migrations from an empty database stay tested here, once per run, and in
 * test/store/migrate.test.ts and the start-up tests.
 */
export async function writeTemplate(): Promise<void> {
  const database = openDatabase({});
  try {
    await migrateToLatest(database.knex);
    const dump = await database.dumpDataDir!();
    const file = path.join(tmpdir(), `fhir-test-pglite-${process.pid}.tar`);
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    process.env[TEMPLATE_ENV] = file;
  } finally {
    await database.knex.destroy();
  }
}

export function removeTemplate(): void {
  const file = process.env[TEMPLATE_ENV];
  if (file) fs.rmSync(file, { force: true });
}

/** An in-memory PGlite of this test file's own: a copy of the run's migrated template, or empty when there is none. */
export function openTemplateCopy(): Database {
  const file = process.env[TEMPLATE_ENV];
  return openDatabase({ initialData: file ? new Blob([fs.readFileSync(file)]) : undefined });
}
