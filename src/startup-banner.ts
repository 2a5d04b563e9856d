import type { Config } from './config';
import { junctionBaseUrl } from './junction/client';

/** Whether a caller can authenticate yet, as start-up found it. */
export type ApiKeyState = 'bootstrap' | 'present' | 'none';

export interface BannerInput {
  config: Pick<Config, 'publicBaseUrl' | 'databaseUrl' | 'dataDir' | 'junction'>;
  /** The port the server actually listens on. */
  port: number;
  apiKeys: ApiKeyState;
}

export interface Banner {
  /** What a terminal shows, one fact per line. */
  text: string;
  /** The same facts as fields, for JSON logs. */
  fields: { frontDoor: string; fhirBase: string; docs: string; database: string; junction: string; apiKeys: ApiKeyState };
}

/** Where the database is, without user or password: a URL's host, port and database name only. */
export function describeDatabase(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return `embedded PostgreSQL (PGlite) in ${dataDir}`;
  try {
    const url = new URL(databaseUrl);
    const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
    return `PostgreSQL at ${url.host || 'the default host'}${name ? `/${name}` : ''}`;
  } catch {
    // An unparsable URL may still carry a secret: say nothing of its text.
    return 'PostgreSQL (DATABASE_URL)';
  }
}

function describeJunction(junction: Config['junction'], base: string): string {
  if (junction.sandbox) return `embedded sandbox at ${base}/junction-sandbox (JUNCTION_API_KEY unset)`;
  return `live API at ${junction.baseUrl ?? junctionBaseUrl(junction)} (${junction.environment}, ${junction.region})`;
}

const MINT = 'npm run admin -- keys create <tenant id> <name> <scope>…  (or POST /admin/api-keys)';

function apiKeyAdvice(state: ApiKeyState): string {
  if (state === 'bootstrap') return `send BOOTSTRAP_API_KEY's value as "Authorization: Bearer <key>"; narrower keys: ${MINT}`;
  if (state === 'present') return `keys exist; mint another with an admin key: ${MINT}`;
  return 'none yet: every API call answers 401; restart with BOOTSTRAP_API_KEY=<a secret of 16+ characters>';
}

/** The closing lines of start-up: where things are and how to get in. Pure, so what it may say is tested. */
export function startupBanner({ config, port, apiKeys }: BannerInput): Banner {
  const base = (config.publicBaseUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const fields = {
    frontDoor: `${base}/`,
    fhirBase: `${base}/fhir/R4`,
    docs: `${base}/docs`,
    database: describeDatabase(config.databaseUrl, config.dataDir),
    junction: describeJunction(config.junction, base),
    apiKeys,
  };
  const rows: [string, string][] = [
    ['front door', fields.frontDoor],
    ['FHIR base', `${fields.fhirBase}  (CapabilityStatement: ${fields.fhirBase}/metadata)`],
    ['API docs', fields.docs],
    ['database', fields.database],
    ['Junction', fields.junction],
    ['API key', apiKeyAdvice(apiKeys)],
  ];
  const text = ['FHIR R4 facade server is ready', ...rows.map(([label, value]) => `  ${label.padEnd(12)}${value}`)].join('\n');
  return { text, fields };
}
