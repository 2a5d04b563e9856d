import fs from 'node:fs';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { knex, type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';

export interface DatabaseOptions {
  /** PostgreSQL connection string; absent = embedded PGlite. */
  url?: string;
  /** Directory for embedded data; absent = in memory. */
  dataDir?: string;
  /**
   * An embedded database to start from, as `PGlite.dumpDataDir` wrote it, instead of an empty
   * cluster: opening one skips `initdb` (~4 s of a fresh PGlite's ~5 s here).
   */
  initialData?: Blob;
  /** Schema to work in (tests isolate runs this way); default `public`. */
  schema?: string;
  /** What the database client has to say (lost connections, failed connects); default: nothing is said. */
  onClientWarning?: (message: string) => void;
  /** Most PostgreSQL connections this process holds for requests and background work (default 10). */
  poolMax?: number;
  /** How long one statement of a request may run before PostgreSQL cancels it (default 15 s; PGlite has none). */
  statementTimeoutMs?: number;
}

export interface Database {
  knex: Knex;
  kind: 'postgresql' | 'pglite';
  describe: string;
  /** Whether the database answers now, asked outside the pool so that a busy pool is not taken for an outage. */
  answers(): Promise<boolean>;
  /** Embedded only: the whole database as a tarball, to open copies of it (`initialData`). */
  dumpDataDir?(): Promise<Blob>;
}

const PROBE_TIMEOUT_MS = 2000;
/**
 * Sent when each connection starts: requests are planned without parallel workers. A page is a
 * walk in id order that stops at its last row, and workers walk ahead of it: a chained search of
 * a two-letter family prefix at 100,000 Patients read 40,009 reference rows for a page of 20 with
 * two workers (p95 470 ms), 1,530 without (p95 70 ms). On a few cores, workers take the CPU of
 * concurrent requests; what they speed up is a count of a broad match (`_total=accurate` over
 * half the Patients, one request at a time: 190 ms with them, 370 without).
 *
 * Nor are they compiled by JIT: PostgreSQL compiles every execution of a plan whose estimate
 * passes `jit_above_cost`, 100–200 ms here, where a request's statements take milliseconds. No
 * request's plan does today, but one estimate gone wrong would (an update statement whose
 * set-returning functions were taken for 10,000 rows spent 109–194 ms of each execution compiling).
 *
 * libpq's `PGOPTIONS`, sent after these, still has the last word.
 */
const sessionOptions = (): string => ['-c max_parallel_workers_per_gather=0', '-c jit=off', process.env.PGOPTIONS].filter(Boolean).join(' ');
/** How long a request waits for a pool connection before it is answered that the database is unavailable. */
export const POOL_ACQUIRE_TIMEOUT_MS = 10_000;
const DEFAULT_POOL_MAX = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;

export function openDatabase(options: DatabaseOptions): Database {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const { schema, poolMax = DEFAULT_POOL_MAX, statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS, onClientWarning = () => undefined } = options;
  // knex writes these to the console, one line per failed connection; they belong in our log, throttled.
  const say = (message: unknown): void => onClientWarning(String(message));
  const instance = knex({
    log: { warn: say, error: say, deprecate: say, debug: () => undefined },
    client: 'pg',
    connection: {
      connectionString: url,
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout: 30000,
      options: sessionOptions(),
    } as Knex.PgConnectionConfig,
    searchPath: schema ? [schema, 'public'] : undefined,
    pool: {
      min: 0,
      max: poolMax,
      afterCreate: (conn: { on(event: string, cb: () => void): void }, done: (err: Error | null, conn: unknown) => void) => {
        // A backend that dies while the connection idles must not crash the process.
        conn.on('error', () => undefined);
        done(null, conn);
      },
    },
    acquireConnectionTimeout: POOL_ACQUIRE_TIMEOUT_MS,
  });
  return { knex: instance, kind: 'postgresql', describe: `PostgreSQL at ${redactUrl(url)}`, answers: () => postgresAnswers(url) };
}

/** A connection of its own for each probe: nothing to keep alive or close, and a few milliseconds on a healthy server. */
async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// The package's type declarations for contrib extensions are ESM-only; the CommonJS build exists.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { btree_gist } = require('@electric-sql/pglite/contrib/btree_gist') as { btree_gist: Extension };

function openPglite({ dataDir, schema, initialData }: DatabaseOptions): Database {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite({ dataDir, loadDataDir: initialData, extensions: { pg_trgm, btree_gist } });
  const instance = knex({
    client: ClientPgLite as unknown as typeof knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
    searchPath: schema ? [schema, 'public'] : undefined,
  } as Knex.Config);
  return {
    knex: instance,
    kind: 'pglite',
    describe: dataDir ? `embedded PostgreSQL (PGlite) in ${dataDir}` : 'embedded PostgreSQL (PGlite) in memory',
    // In-process: it answers as long as it is open; a query would only wait behind the work in hand.
    answers: async () => !pglite.closed,
    dumpDataDir: async () => (await pglite.dumpDataDir('none')) as Blob,
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

/** The database handle the layers above pass along without speaking SQL themselves. */
export type Db = Knex;
