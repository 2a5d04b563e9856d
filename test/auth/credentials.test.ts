import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { expectDocumented, expectSchema } from '../helpers/schema-assert';
import { tempDir } from '../helpers/temp-dirs';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://fhir.example.test';
let t: TestApp;
let signingKey: KeyLike;
let otherKey: KeyLike;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const jwksFile = join(tempDir('jwks-'), 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
  t = await startTestApp({ env: { JWT_JWKS_FILE: jwksFile, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, API_KEY_CACHE_SECONDS: '60' } });
});
afterAll(() => t.close());

interface TokenOptions {
  key?: KeyLike;
  audience?: string;
  issuer?: string;
  expiresIn?: string | number;
  notBefore?: string | number;
  claims?: Record<string, unknown>;
}

function token(options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ scope: 'system/Patient.rs', tenant: t.tenantId, ...options.claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setSubject('backend-service-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m');
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(options.key ?? signingKey);
}

/** A token with `alg: none` and no signature. */
function unsignedToken(): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: ISSUER, aud: AUDIENCE, sub: 'x', tenant: t.tenantId, scope: 'system/*.cruds', exp: now + 300 })}.`;
}

describe('without valid credentials every API answers 401 with WWW-Authenticate, in its own shape', () => {
  test.each([
    ['FHIR', `${FHIR_BASE}/Patient`],
    ['patients', '/v1/patients/00000000-0000-4000-8000-000000000000'],
    ['practitioner-roles', '/v1/practitioner-roles/00000000-0000-4000-8000-000000000000'],
    ['clinician-profiles', '/v1/clinician-profiles'],
    ['clinician-profiles', '/api-v1/clinician-profiles'],
  ])('%s at %s', async (family, path) => {
    const res = await t.anonymous.get(path);
    expect(res.status).toBe(401);
    expect(res.get('www-authenticate')).toBe('Bearer realm="fhir-facade"');
    if (family === 'FHIR') expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
    else if (family === 'patients') expectDocumented(res, family);
    else expectSchema(res.body, `${family}.error`);
  });

  test('the admin API answers 401 in the {error, message} shape', async () => {
    const res = await t.anonymous.get('/admin/tenants');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: expect.stringContaining('Credentials are required') });
  });

  test.each([
    ['an unknown key', (r: ReturnType<TestApp['anonymous']['get']>) => r.set('x-api-key', 'fhk_this-key-was-never-issued-000000')],
    ['an unknown bearer key', (r: ReturnType<TestApp['anonymous']['get']>) => r.set('authorization', 'Bearer fhk_this-key-was-never-issued-000000')],
    ['a malformed key', (r: ReturnType<TestApp['anonymous']['get']>) => r.set('x-api-key', 'short')],
    ['an empty Bearer', (r: ReturnType<TestApp['anonymous']['get']>) => r.set('authorization', 'Bearer ')],
    ['another scheme', (r: ReturnType<TestApp['anonymous']['get']>) => r.set('authorization', `Basic ${Buffer.from('a:b').toString('base64')}`)],
  ])('%s is refused with error="invalid_token"', async (_what, withCredential) => {
    const res = await withCredential(t.anonymous.get(`${FHIR_BASE}/Patient`));
    expect(res.status).toBe(401);
    expect(res.get('www-authenticate')).toBe('Bearer realm="fhir-facade", error="invalid_token"');
  });

  test('the CapabilityStatement and the probes stay open', async () => {
    expect((await t.anonymous.get(`${FHIR_BASE}/metadata`)).status).toBe(200);
    expect((await t.anonymous.get('/healthz')).status).toBe(200);
    expect((await t.anonymous.get('/readyz')).status).toBe(200);
  });
});

describe('API keys', () => {
  test('work as Authorization: Bearer and as x-api-key', async () => {
    expect((await t.anonymous.get(`${FHIR_BASE}/Patient`).set('authorization', `Bearer ${t.apiKey}`)).status).toBe(200);
    expect((await t.anonymous.get(`${FHIR_BASE}/Patient`).set('x-api-key', t.apiKey)).status).toBe(200);
  });

  test('a revoked key stops working at once in the process that revoked it, despite the cache', async () => {
    const key = await t.keyWith(['system/*.rs']);
    expect((await t.anonymous.get(`${FHIR_BASE}/Patient`).set('x-api-key', key)).status).toBe(200);
    const listed = await t.http.get(`/admin/api-keys?tenant_id=${t.tenantId}`).expect(200);
    const id = (listed.body.data as { id: string; last_used_at: string | null }[]).at(-1)?.id;
    await t.http.delete(`/admin/api-keys/${id}`).expect(204);
    const after = await t.anonymous.get(`${FHIR_BASE}/Patient`).set('x-api-key', key);
    expect(after.status).toBe(401);
    expect(after.body.issue[0].details.text).toBe('The API key has been revoked');
  });
});

describe('JWT access tokens (SMART Backend Services style)', () => {
  test('a valid token acts for its tenant with its scopes', async () => {
    const res = await t.anonymous.get(`${FHIR_BASE}/Patient`).set('authorization', `Bearer ${await token()}`);
    expect(res.status).toBe(200);
    const write = await t.anonymous
      .post(`${FHIR_BASE}/Patient`)
      .set('authorization', `Bearer ${await token()}`)
      .send({ resourceType: 'Patient' });
    expect(write.status).toBe(403);
  });

  test.each([
    ['expired', () => token({ expiresIn: Math.floor(Date.now() / 1000) - 120 }), 'The access token has expired'],
    ['not yet valid', () => token({ notBefore: '10m' }), 'The access token is not valid'],
    ['for another audience', () => token({ audience: 'https://elsewhere.test' }), 'The access token is not valid'],
    ['from another issuer', () => token({ issuer: 'https://evil.test' }), 'The access token is not valid'],
    ['signed by another key', () => token({ key: otherKey }), 'The access token is not valid'],
    ['without a tenant claim', () => token({ claims: { tenant: undefined } }), 'The access token is not valid'],
    ['naming a tenant that does not exist', () => token({ claims: { tenant: '00000000-0000-4000-8000-00000000dead' } }), 'The access token is not valid'],
    ['with alg none', async () => unsignedToken(), 'The access token is not valid'],
  ])('a token %s is refused', async (_what, make, message) => {
    const res = await t.anonymous.get(`${FHIR_BASE}/Patient`).set('authorization', `Bearer ${await make()}`);
    expect(res.status).toBe(401);
    expect(res.get('www-authenticate')).toContain('error="invalid_token"');
    expect(res.body.issue[0].details.text).toBe(message);
  });
});
