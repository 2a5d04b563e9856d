import { bool, cleanEnv, num, port, str } from 'envalid';

/** The seed's documented budget: 500 requests per hour per API key. */
export const DEFAULT_RATE_LIMIT = { points: 500, windowSeconds: 3600 } as const;

/** Every setting the server reads, validated once at start-up; the README's table mirrors this. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const raw = cleanEnv(env, {
    PORT: port({ default: 8080, desc: 'HTTP port' }),
    DATABASE_URL: str({ default: '', desc: 'PostgreSQL URL; empty = embedded PGlite' }),
    DATA_DIR: str({ default: './data', desc: 'Where embedded PGlite keeps its files' }),
    PUBLIC_BASE_URL: str({ default: '', desc: 'Absolute base used in Location headers and links; default from the request' }),
    LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
    BODY_LIMIT: str({ default: '1mb', desc: 'Largest accepted request body' }),
    SHUTDOWN_GRACE_MS: num({ default: 10000, desc: 'How long SIGTERM waits for in-flight requests' }),
    RATE_LIMIT_POINTS: num({ default: DEFAULT_RATE_LIMIT.points, desc: 'Requests per window per API key / client' }),
    RATE_LIMIT_WINDOW_SECONDS: num({ default: DEFAULT_RATE_LIMIT.windowSeconds, desc: 'Rate-limit window length' }),
    REDIS_URL: str({ default: '', desc: 'Redis URL for shared rate-limit counters; empty = PostgreSQL' }),
    TRUST_PROXY: bool({ default: false, desc: 'Trust X-Forwarded-* (behind a load balancer)' }),
  });
  return {
    port: raw.PORT,
    databaseUrl: raw.DATABASE_URL || undefined,
    dataDir: raw.DATA_DIR,
    publicBaseUrl: raw.PUBLIC_BASE_URL || undefined,
    logLevel: raw.LOG_LEVEL,
    bodyLimit: raw.BODY_LIMIT,
    shutdownGraceMs: raw.SHUTDOWN_GRACE_MS,
    rateLimit: { points: raw.RATE_LIMIT_POINTS, windowSeconds: raw.RATE_LIMIT_WINDOW_SECONDS },
    redisUrl: raw.REDIS_URL || undefined,
    trustProxy: raw.TRUST_PROXY,
  };
}

export type Config = ReturnType<typeof loadConfig>;
