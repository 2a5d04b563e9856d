import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { AuthenticationError } from '../../src/auth/authentication-error';
import { createJwtVerifier, type JwtSettings, type JwtVerifier } from '../../src/auth/jwt';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://fhir.example.test/fhir/R4';
const TENANT = '6f1c2a57-3e0b-4b8e-9a51-0d7f2c9b4e11';

let rsaKey: KeyLike;
let ecKey: KeyLike;
let strangerKey: KeyLike;
let dir: string;
let jwksFile: string;
let server: Server;
let jwksUrl: string;
let jwksRequests = 0;

beforeAll(async () => {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  rsaKey = rsa.privateKey;
  ecKey = ec.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ],
  };
  dir = mkdtempSync(join(tmpdir(), 'jwks-'));
  jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(jwks));
  server = createServer((_req, res) => {
    jwksRequests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const settings = (more: Partial<JwtSettings> = {}): JwtSettings => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256', 'ES256'],
  tenantClaim: 'tenant',
  ...more,
});
const verifiers: [string, () => JwtVerifier][] = [
  ['a JWKS file', () => createJwtVerifier(settings({ jwksFile }))],
  ['a JWKS URL', () => createJwtVerifier(settings({ jwksUrl }))],
];

interface TokenOptions {
  key?: KeyLike;
  alg?: string;
  kid?: string;
  issuer?: string;
  audience?: string;
  subject?: string | null;
  expiresAt?: number;
  notBefore?: number;
  claims?: Record<string, unknown>;
}

const now = (): number => Math.floor(Date.now() / 1000);

function token(options: TokenOptions = {}): Promise<string> {
  const alg = options.alg ?? 'RS256';
  const jwt = new SignJWT({ scope: 'system/Patient.rs system/Observation.r', tenant: TENANT, ...options.claims })
    .setProtectedHeader({ alg, kid: options.kid ?? (alg === 'ES256' ? 'ec-1' : 'rsa-1'), typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? now() + 300);
  if (options.subject !== null) jwt.setSubject(options.subject ?? 'backend-service-1');
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(options.key ?? (alg === 'ES256' ? ecKey : rsaKey));
}

/** `alg: none` and an empty signature, made by hand since no library will sign one. */
function unsigned(header: Record<string, unknown> = { alg: 'none', typ: 'JWT' }): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part({ iss: ISSUER, aud: AUDIENCE, sub: 'x', tenant: TENANT, scope: 'system/*.cruds', exp: now() + 300 })}.`;
}

async function reasonOf(verify: JwtVerifier, value: string | Promise<string>): Promise<string> {
  try {
    await verify(await value);
  } catch (err) {
    if (err instanceof AuthenticationError) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe.each(verifiers)('keys from %s', (_source, make) => {
  let verify: JwtVerifier;
  beforeAll(() => {
    verify = make();
  });

  test('a good RS256 token gives its subject, tenant and scope', async () => {
    await expect(verify(await token())).resolves.toEqual({ subject: 'backend-service-1', tenantId: TENANT, scope: 'system/Patient.rs system/Observation.r' });
  });

  test('a good ES256 token is accepted too', async () => {
    await expect(verify(await token({ alg: 'ES256' }))).resolves.toMatchObject({ tenantId: TENANT });
  });

  test('a token without a scope claim has no scope', async () => {
    await expect(verify(await token({ claims: { scope: undefined } }))).resolves.toMatchObject({ scope: '' });
  });

  test('a token expired within the 30 s leeway is accepted', async () => {
    await expect(verify(await token({ expiresAt: now() - 10 }))).resolves.toMatchObject({ tenantId: TENANT });
  });

  test.each([
    ['expired', 'expired', () => token({ expiresAt: now() - 120 })],
    ['not valid before a time to come', 'invalid_token', () => token({ notBefore: now() + 600 })],
    ['for another audience', 'invalid_token', () => token({ audience: 'https://elsewhere.test' })],
    ['from another issuer', 'invalid_token', () => token({ issuer: 'https://evil.test' })],
    ['with alg none', 'invalid_token', async () => unsigned()],
    ['with alg none naming a known key', 'invalid_token', async () => unsigned({ alg: 'none', kid: 'rsa-1' })],
    ['signed by another key under a known kid', 'invalid_token', () => token({ key: strangerKey })],
    ['naming a kid the JWKS lacks', 'invalid_token', () => token({ key: strangerKey, kid: 'unknown-kid' })],
    ['without the tenant claim', 'invalid_token', () => token({ claims: { tenant: undefined } })],
    ['with a tenant claim that is not a string', 'invalid_token', () => token({ claims: { tenant: 42 } })],
    ['without a subject', 'invalid_token', () => token({ subject: null })],
    ['that is not a JWT at all', 'invalid_token', async () => 'abc.def.ghi'],
  ])('a token %s is refused as %s', async (_what, reason, make) => {
    expect(await reasonOf(verify, make())).toBe(reason);
  });
});

describe('the pinned algorithms', () => {
  test('a token in an algorithm not configured is refused, though its key is known', async () => {
    const verify = createJwtVerifier(settings({ jwksFile, algorithms: ['RS256'] }));
    expect(await reasonOf(verify, token({ alg: 'ES256' }))).toBe('invalid_token');
    expect(await reasonOf(verify, token())).toBe('accepted');
  });

  test('configuring none does not make unsigned tokens acceptable', async () => {
    const verify = createJwtVerifier(settings({ jwksFile, algorithms: ['none', 'RS256'] }));
    expect(await reasonOf(verify, unsigned())).toBe('invalid_token');
    expect(await reasonOf(verify, token())).toBe('accepted');
  });

  test('an HS256 token keyed with the RSA public key (algorithm confusion) is refused', async () => {
    const verify = createJwtVerifier(settings({ jwksFile, algorithms: ['RS256'] }));
    const secret = new TextEncoder().encode(JSON.stringify(await exportJWK(rsaKey)));
    const forged = new SignJWT({ tenant: TENANT, scope: 'system/*.cruds' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('x')
      .setExpirationTime(now() + 300)
      .sign(secret);
    expect(await reasonOf(verify, forged)).toBe('invalid_token');
  });
});

describe('the tenant claim', () => {
  test('is the configured claim', async () => {
    const verify = createJwtVerifier(settings({ jwksFile, tenantClaim: 'https://fhir.example.test/tenant' }));
    await expect(verify(await token({ claims: { 'https://fhir.example.test/tenant': TENANT } }))).resolves.toMatchObject({ tenantId: TENANT });
    expect(await reasonOf(verify, token())).toBe('invalid_token');
  });
});

describe('a remote JWKS', () => {
  test('is fetched once for many tokens', async () => {
    const before = jwksRequests;
    const verify = createJwtVerifier(settings({ jwksUrl }));
    for (let i = 0; i < 5; i++) await verify(await token());
    expect(jwksRequests - before).toBe(1);
  });

  test('that cannot be reached makes tokens invalid, not the server fail', async () => {
    const verify = createJwtVerifier(settings({ jwksUrl: 'http://127.0.0.1:9/jwks.json' }));
    expect(await reasonOf(verify, token())).toBe('invalid_token');
  });
});
