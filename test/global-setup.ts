import { writeTemplate } from './helpers/pglite-template';

/**
 * Against a PostgreSQL server (DATABASE_URL set), each test file works in a schema of its own
 * (test/helpers/test-app.ts), named after this run's prefix and dropped afterwards: files share
 * no rows — not even outbox rows, which every instance's lab-order worker would otherwise take
 * up and send to its own file's Junction sandbox. Without DATABASE_URL every test file opens
 * its own in-memory PGlite instead, a copy of one migrated here (test/helpers/pglite-template.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) process.env.TEST_DB_SCHEMA = `test_${Date.now()}_${process.pid}`;
  else await writeTemplate();
}
