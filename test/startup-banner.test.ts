import { loadConfig } from '../src/config';
import { logFormatFor } from '../src/logger';
import { describeDatabase, startupBanner, type ApiKeyState } from '../src/startup-banner';

const PASSWORD = 'pa55-w0rd-that-must-stay-secret';

const bannerFor = (env: Record<string, string>, apiKeys: ApiKeyState = 'bootstrap') => startupBanner({ config: loadConfig(env), port: 8080, apiKeys });

test.each([
  `postgres://fhir:${PASSWORD}@db.internal:5432/fhir`,
  `postgresql://fhir:${encodeURIComponent(PASSWORD)}@db.internal/fhir?sslmode=require`,
  `postgres://db.internal:5432/fhir?password=${PASSWORD}&user=fhir`,
  `postgres://fhir:${PASSWORD}@[::1]:5432/fhir`,
  `not a url, but it holds ${PASSWORD}`,
])('the banner never shows the password of DATABASE_URL %s', (url) => {
  const banner = bannerFor({ DATABASE_URL: url });
  expect(banner.text).not.toContain(PASSWORD);
  expect(JSON.stringify(banner.fields)).not.toContain(PASSWORD);
  expect(banner.text).toMatch(/database\s+PostgreSQL/);
});

test('a PostgreSQL URL is shown as host, port and database, without the user', () => {
  expect(describeDatabase(`postgres://fhir:${PASSWORD}@db.internal:5432/fhir`, './data')).toBe('PostgreSQL at db.internal:5432/fhir');
});

test('without DATABASE_URL the banner names embedded PGlite and its data directory', () => {
  expect(bannerFor({ DATA_DIR: '/var/lib/fhir' }).fields.database).toBe('embedded PostgreSQL (PGlite) in /var/lib/fhir');
});

test('the banner lists the front door, the FHIR base and the docs under the listening port', () => {
  const { text, fields } = bannerFor({});
  expect(fields).toMatchObject({ frontDoor: 'http://localhost:8080/', fhirBase: 'http://localhost:8080/fhir/R4', docs: 'http://localhost:8080/docs' });
  for (const url of Object.values(fields).slice(0, 3)) expect(text).toContain(url);
  expect(text).toContain('http://localhost:8080/fhir/R4/metadata');
});

test('PUBLIC_BASE_URL replaces localhost in every URL', () => {
  const { fields } = bannerFor({ PUBLIC_BASE_URL: 'https://fhir.example.test/' });
  expect(fields.fhirBase).toBe('https://fhir.example.test/fhir/R4');
  expect(fields.junction).toContain('https://fhir.example.test/junction-sandbox');
});

test('the banner says which Junction: the embedded sandbox, or the live API without its key', () => {
  expect(bannerFor({}).fields.junction).toMatch(/^embedded sandbox at http:\/\/localhost:8080\/junction-sandbox/);
  const live = bannerFor({ JUNCTION_API_KEY: 'sk_us_live_secret_key', JUNCTION_WEBHOOK_SECRET: 'whsec_c2VjcmV0', JUNCTION_ENVIRONMENT: 'production' });
  expect(live.fields.junction).toMatch(/^live API at https:\/\/\S+ \(production, us\)$/);
  expect(live.text).not.toContain('sk_us_live_secret_key');
  expect(live.text).not.toContain('whsec_c2VjcmV0');
});

test.each([
  ['bootstrap', /BOOTSTRAP_API_KEY's value as "Authorization: Bearer <key>"/],
  ['present', /npm run admin -- keys create/],
  ['none', /restart with BOOTSTRAP_API_KEY=/],
] as const)('the banner says how to get an API key when keys are %s', (state, advice) => {
  const banner = bannerFor({ BOOTSTRAP_API_KEY: 'bootstrap-key-value-not-to-print' }, state);
  expect(banner.text).toMatch(advice);
  expect(banner.text).not.toContain('bootstrap-key-value-not-to-print');
});

test.each([
  ['auto', true, 'pretty'],
  ['auto', false, 'json'],
  ['json', true, 'json'],
  ['json', false, 'json'],
  ['pretty', false, 'pretty'],
  ['pretty', true, 'pretty'],
] as const)('LOG_FORMAT=%s, stdout a terminal: %s → %s logs', (setting, tty, format) => {
  expect(logFormatFor(loadConfig({ LOG_FORMAT: setting }).logFormat, tty)).toBe(format);
});

test('LOG_FORMAT defaults to auto', () => {
  expect(loadConfig({}).logFormat).toBe('auto');
});
