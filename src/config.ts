import { bool, cleanEnv, num, port, str } from 'envalid';
import { DEFAULT_STATEMENT_TIMEOUT_MS } from './store/db';

/** The seed's documented budget: 500 requests per hour per API key. */
export const DEFAULT_RATE_LIMIT = { points: 500, windowSeconds: 3600 } as const;

/** Every setting the server reads, validated once at start-up; the README's table mirrors this. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const raw = cleanEnv(env, {
    PORT: port({ default: 8080, desc: 'HTTP port' }),
    DATABASE_URL: str({ default: '', desc: 'PostgreSQL URL; empty = embedded PGlite' }),
    DATABASE_POOL_MAX: num({ default: 10, desc: 'Most PostgreSQL connections one server process holds (readiness probes open one more, briefly)' }),
    DATABASE_STATEMENT_TIMEOUT_MS: num({
      default: DEFAULT_STATEMENT_TIMEOUT_MS,
      desc: 'How long one PostgreSQL statement of a request may run; past it the request is answered 503 (timeout)',
    }),
    DATA_DIR: str({ default: './data', desc: 'Where embedded PGlite keeps its files' }),
    PUBLIC_BASE_URL: str({ default: '', desc: 'Absolute base used in Location headers and links; default from the request' }),
    LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
    LOG_FORMAT: str({ default: 'auto', choices: ['auto', 'json', 'pretty'], desc: 'auto = pretty when stdout is a terminal, JSON lines otherwise' }),
    BODY_LIMIT: str({ default: '1mb', desc: 'Largest accepted request body' }),
    BUNDLE_BODY_LIMIT: str({ default: '50mb', desc: 'Largest accepted batch or transaction Bundle' }),
    SHUTDOWN_DELAY_MS: num({ default: 5000, desc: 'How long SIGTERM keeps accepting (readiness already 503) before it stops' }),
    SHUTDOWN_GRACE_MS: num({ default: 10000, desc: 'How long in-flight requests may take once the server stops accepting' }),
    UNKNOWN_PROFILES: str({
      default: 'warn',
      choices: ['warn', 'reject'],
      desc: 'A meta.profile claim the server does not know: kept with a warning, or refused (422)',
    }),
    FHIR_PACKAGES_DIR: str({
      default: '',
      desc: 'A folder of FHIR NPM packages (folders or .tgz) whose profiles, value sets, code systems and search parameters are loaded',
    }),
    RETRY_AFTER_SECONDS: num({ default: 5, desc: 'Retry-After of the 503 answered while the database is unavailable' }),
    OUTAGE_LOG_INTERVAL_SECONDS: num({ default: 10, desc: 'While the database is unavailable: one log line per interval, with a count' }),
    RATE_LIMIT_POINTS: num({ default: DEFAULT_RATE_LIMIT.points, desc: 'Requests per window per API key / client' }),
    RATE_LIMIT_WINDOW_SECONDS: num({ default: DEFAULT_RATE_LIMIT.windowSeconds, desc: 'Rate-limit window length' }),
    REDIS_URL: str({ default: '', desc: 'Redis URL for shared rate-limit counters; empty = PostgreSQL' }),
    TRUST_PROXY: bool({ default: false, desc: 'Trust X-Forwarded-* (behind a load balancer)' }),
    BOOTSTRAP_API_KEY: str({ default: '', desc: 'Ensures an all-scopes key with this value for the default tenant at start-up' }),
    API_KEY_PEPPER: str({ default: '', desc: 'Secret mixed into stored API key hashes' }),
    API_KEY_CACHE_SECONDS: num({ default: 5, desc: 'How long a verified API key is trusted without a lookup (revocation delay elsewhere)' }),
    JWT_JWKS_URL: str({ default: '', desc: 'JWKS of the authorization server whose access tokens are accepted' }),
    JWT_JWKS_FILE: str({ default: '', desc: 'The same keys as a file' }),
    JWT_ISSUER: str({ default: '', desc: 'Required iss of access tokens' }),
    JWT_AUDIENCE: str({ default: '', desc: 'Required aud of access tokens' }),
    JWT_ALGORITHMS: str({ default: 'RS256,ES256', desc: 'Accepted signature algorithms' }),
    JWT_TENANT_CLAIM: str({ default: 'tenant', desc: 'The token claim that holds the tenant id' }),
    CORS_ORIGINS: str({ default: '', desc: 'Comma-separated browser origins allowed by CORS; empty = CORS off' }),
    JUNCTION_API_KEY: str({ default: '', desc: 'Junction team API key; empty = the embedded sandbox at /junction-sandbox' }),
    JUNCTION_ENVIRONMENT: str({ default: 'sandbox', choices: ['sandbox', 'production'], desc: 'Which Junction environment' }),
    JUNCTION_REGION: str({ default: 'us', choices: ['us', 'eu'], desc: 'Which Junction region' }),
    JUNCTION_BASE_URL: str({ default: '', desc: 'Junction API base URL; overrides environment and region' }),
    JUNCTION_TEAM_ID: str({ default: '', desc: 'Junction team id (team physicians)' }),
    JUNCTION_WEBHOOK_SECRET: str({ default: '', desc: 'Svix signing secret of the Junction webhook endpoint (whsec_…)' }),
    JUNCTION_PANELS_FILE: str({ default: 'junction-panels.json', desc: 'Panel code → Junction lab test id' }),
    JUNCTION_TIMEOUT_MS: num({ default: 10000, desc: 'Per-attempt timeout of a Junction call' }),
    LAB_ORDER_MAX_ATTEMPTS: num({ default: 8, desc: 'Submission attempts before a lab order is dead' }),
    LAB_ORDER_POLL_MS: num({ default: 2000, desc: 'How often the lab order worker looks for due submissions' }),
    SEARCH_COUNT_COST_LIMIT: num({
      default: 10_000,
      desc: 'Without _total, a search whose count of up to 1,000 matches PostgreSQL plans above this cost leaves the total out',
    }),
    BULK_EXPORT_PAGE_SIZE: num({ default: 500, desc: 'Resources per page read and per stored chunk of a Bulk Data export' }),
    BULK_EXPORT_LEASE_SECONDS: num({ default: 60, desc: 'How long an export run may go without progress before another process resumes it' }),
    BULK_EXPORT_RETENTION_HOURS: num({ default: 24, desc: 'How long a finished export and its files are kept' }),
    BULK_EXPORT_MAX_RUNNING: num({ default: 3, desc: 'Exports one tenant may have running at once' }),
  });
  if (!Number.isInteger(raw.DATABASE_POOL_MAX) || raw.DATABASE_POOL_MAX < 1) throw new Error('DATABASE_POOL_MAX must be a whole number of at least 1');
  if (!Number.isInteger(raw.DATABASE_STATEMENT_TIMEOUT_MS) || raw.DATABASE_STATEMENT_TIMEOUT_MS < 1) {
    throw new Error('DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds, at least 1');
  }
  if (!(raw.SEARCH_COUNT_COST_LIMIT >= 0)) throw new Error('SEARCH_COUNT_COST_LIMIT must be a number of at least 0');
  const sandbox = !raw.JUNCTION_API_KEY;
  if (raw.BULK_EXPORT_PAGE_SIZE < 1 || raw.BULK_EXPORT_LEASE_SECONDS <= 0 || raw.BULK_EXPORT_MAX_RUNNING < 1) {
    throw new Error('BULK_EXPORT_PAGE_SIZE, BULK_EXPORT_LEASE_SECONDS and BULK_EXPORT_MAX_RUNNING must be positive');
  }
  if (!sandbox && !raw.JUNCTION_WEBHOOK_SECRET) throw new Error('JUNCTION_API_KEY needs JUNCTION_WEBHOOK_SECRET (the webhook endpoint signing secret)');
  const jwksConfigured = Boolean(raw.JWT_JWKS_URL || raw.JWT_JWKS_FILE);
  if (jwksConfigured && (!raw.JWT_ISSUER || !raw.JWT_AUDIENCE)) throw new Error('JWT_JWKS_URL / JWT_JWKS_FILE need JWT_ISSUER and JWT_AUDIENCE');
  return {
    port: raw.PORT,
    databaseUrl: raw.DATABASE_URL || undefined,
    databasePoolMax: raw.DATABASE_POOL_MAX,
    statementTimeoutMs: raw.DATABASE_STATEMENT_TIMEOUT_MS,
    searchCountCostLimit: raw.SEARCH_COUNT_COST_LIMIT,
    dataDir: raw.DATA_DIR,
    publicBaseUrl: raw.PUBLIC_BASE_URL || undefined,
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT as 'auto' | 'json' | 'pretty',
    bodyLimit: raw.BODY_LIMIT,
    bundleBodyLimit: raw.BUNDLE_BODY_LIMIT,
    shutdownDelayMs: raw.SHUTDOWN_DELAY_MS,
    retryAfterSeconds: raw.RETRY_AFTER_SECONDS,
    unknownProfiles: raw.UNKNOWN_PROFILES as 'warn' | 'reject',
    fhirPackagesDir: raw.FHIR_PACKAGES_DIR || undefined,
    outageLogIntervalMs: raw.OUTAGE_LOG_INTERVAL_SECONDS * 1000,
    shutdownGraceMs: raw.SHUTDOWN_GRACE_MS,
    rateLimit: { points: raw.RATE_LIMIT_POINTS, windowSeconds: raw.RATE_LIMIT_WINDOW_SECONDS },
    redisUrl: raw.REDIS_URL || undefined,
    trustProxy: raw.TRUST_PROXY,
    bootstrapApiKey: raw.BOOTSTRAP_API_KEY || undefined,
    apiKeyPepper: raw.API_KEY_PEPPER,
    apiKeyCacheMs: raw.API_KEY_CACHE_SECONDS * 1000,
    jwt: jwksConfigured
      ? {
          jwksUrl: raw.JWT_JWKS_URL || undefined,
          jwksFile: raw.JWT_JWKS_FILE || undefined,
          issuer: raw.JWT_ISSUER,
          audience: raw.JWT_AUDIENCE,
          algorithms: raw.JWT_ALGORITHMS.split(',').map((a) => a.trim()),
          tenantClaim: raw.JWT_TENANT_CLAIM,
        }
      : undefined,
    junction: {
      sandbox,
      apiKey: raw.JUNCTION_API_KEY || 'sandbox',
      baseUrl: raw.JUNCTION_BASE_URL || undefined,
      environment: raw.JUNCTION_ENVIRONMENT as 'sandbox' | 'production',
      region: raw.JUNCTION_REGION as 'us' | 'eu',
      teamId: raw.JUNCTION_TEAM_ID || undefined,
      webhookSecret: raw.JUNCTION_WEBHOOK_SECRET || undefined,
      panelsFile: raw.JUNCTION_PANELS_FILE,
      timeoutMs: raw.JUNCTION_TIMEOUT_MS,
      maxAttempts: raw.LAB_ORDER_MAX_ATTEMPTS,
      pollMs: raw.LAB_ORDER_POLL_MS,
    },
    bulkExport: {
      pageSize: Math.floor(raw.BULK_EXPORT_PAGE_SIZE),
      leaseMs: raw.BULK_EXPORT_LEASE_SECONDS * 1000,
      retentionMs: raw.BULK_EXPORT_RETENTION_HOURS * 3_600_000,
      maxRunningPerTenant: Math.floor(raw.BULK_EXPORT_MAX_RUNNING),
    },
    corsOrigins: raw.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  };
}

export type Config = ReturnType<typeof loadConfig>;
