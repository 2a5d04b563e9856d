import { randomUUID } from 'node:crypto';
import { generateApiKey, hashApiKey } from '../../src/auth/api-key-material';
import { AuthenticationError, Authenticator, type Credential, type CredentialStore } from '../../src/auth/authenticator';
import type { JwtVerifier } from '../../src/auth/jwt';
import { allows } from '../../src/auth/scopes';
import { findApiKeyByHash, insertApiKey, listApiKeys, revokeApiKey, touchApiKeys } from '../../src/store/api-keys';
import { createTenant, tenantExists } from '../../src/store/tenants';
import { openTestDatabase, type TestDatabase } from './test-database';

const PEPPER = 'authenticator-test-pepper';
let db: TestDatabase;
let tenantId: string;
/** Real time plus what a test has skipped ahead: the authenticator's TTLs read Date.now. */
let skipped = 0;
const realNow = Date.now.bind(Date);

beforeAll(async () => {
  db = await openTestDatabase();
  tenantId = (await createTenant(db.knex, `Clinic ${randomUUID()}`)).id;
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skipped);
});
afterAll(async () => {
  jest.restoreAllMocks();
  await db.close();
});

/** The store the bootstrap wires, over the real database, counting its key lookups. */
function countingStore(): CredentialStore & { lookups: number } {
  const store = {
    lookups: 0,
    findKey: async (hash: string) => {
      store.lookups += 1;
      const row = await findApiKeyByHash(db.knex, hash);
      return row && { id: row.id, tenantId: row.tenant_id, scopes: row.scopes, revoked: row.revoked_at !== null };
    },
    tenantExists: (id: string) => tenantExists(db.knex, id),
    touchKeys: (ids: string[]) => touchApiKeys(db.knex, ids),
  };
  return store;
}

const authenticators: Authenticator[] = [];
function authenticator(options: { jwt?: JwtVerifier; ttlMs?: number } = {}) {
  const store = countingStore();
  const made = new Authenticator({ store, pepper: PEPPER, ...options });
  authenticators.push(made);
  return { auth: made, store };
}
afterEach(async () => {
  for (const made of authenticators.splice(0)) await made.close();
});

async function newKey(scopes = ['system/Patient.rs']): Promise<{ key: string; id: string }> {
  const key = generateApiKey();
  const row = await insertApiKey(db.knex, { tenantId, name: 'test', scopes, keyHash: hashApiKey(key, PEPPER) });
  return { key, id: row.id };
}

async function failure(auth: Authenticator, credential: Credential): Promise<AuthenticationError> {
  try {
    await auth.authenticate(credential);
  } catch (err) {
    if (err instanceof AuthenticationError) return err;
    throw err;
  }
  throw new Error('authenticated');
}

describe('API keys', () => {
  test('a key as x-api-key or Bearer becomes its tenant, key id and scopes', async () => {
    const { auth } = authenticator();
    const { key, id } = await newKey(['system/Patient.rs']);
    for (const kind of ['apiKey', 'bearer'] as const) {
      const principal = await auth.authenticate({ kind, value: key });
      expect(principal).toMatchObject({ tenantId, kind: 'api-key', subject: id });
      expect(allows(principal.scopes, 'Patient', 's')).toBe(true);
      expect(allows(principal.scopes, 'Patient', 'c')).toBe(false);
    }
  });

  test('a key is looked up once per TTL (default 5 s), however many requests carry it', async () => {
    const { auth, store } = authenticator();
    const { key } = await newKey();
    for (let i = 0; i < 10; i++) await auth.authenticate({ kind: 'apiKey', value: key });
    expect(store.lookups).toBe(1);
    skipped += 5001;
    await auth.authenticate({ kind: 'apiKey', value: key });
    expect(store.lookups).toBe(2);
  });

  test('a key revoked by another process still works until the TTL runs out, then answers revoked', async () => {
    const { auth } = authenticator({ ttlMs: 2000 });
    const { key, id } = await newKey();
    await auth.authenticate({ kind: 'apiKey', value: key });
    expect(await revokeApiKey(db.knex, id)).toBe(true);
    await expect(auth.authenticate({ kind: 'apiKey', value: key })).resolves.toMatchObject({ subject: id });
    skipped += 2001;
    expect((await failure(auth, { kind: 'apiKey', value: key })).reason).toBe('revoked');
  });

  test('a key revoked in this process is refused at once', async () => {
    const { auth } = authenticator({ ttlMs: 60_000 });
    const { key, id } = await newKey();
    await auth.authenticate({ kind: 'apiKey', value: key });
    await revokeApiKey(db.knex, id);
    auth.revoke(id);
    expect((await failure(auth, { kind: 'apiKey', value: key })).reason).toBe('revoked');
  });

  test('an unknown key is remembered as unknown for a second, then looked up again', async () => {
    const { auth, store } = authenticator();
    const key = generateApiKey();
    expect((await failure(auth, { kind: 'apiKey', value: key })).reason).toBe('unknown');
    expect((await failure(auth, { kind: 'apiKey', value: key })).reason).toBe('unknown');
    expect(store.lookups).toBe(1);
    // Another process makes this very key meanwhile.
    await insertApiKey(db.knex, { tenantId, name: 'late', scopes: ['system/*.rs'], keyHash: hashApiKey(key, PEPPER) });
    skipped += 1001;
    await expect(auth.authenticate({ kind: 'apiKey', value: key })).resolves.toMatchObject({ tenantId });
  });

  test('a key is unknown under another pepper', async () => {
    const { key } = await newKey();
    const other = new Authenticator({ store: countingStore(), pepper: 'another pepper' });
    authenticators.push(other);
    expect((await failure(other, { kind: 'apiKey', value: key })).reason).toBe('unknown');
  });

  test.each([
    ['too short', 'fhk_short'],
    ['with a space', 'fhk_abcdefghij klmnopqrstuv'],
    ['not ASCII', 'fhk_abcdefghijklmnopqrstüv'],
    ['empty', ''],
    ['overlong', `fhk_${'a'.repeat(300)}`],
  ])('a key %s is malformed, with no lookup', async (_what, value) => {
    const { auth, store } = authenticator();
    expect((await failure(auth, { kind: 'apiKey', value })).reason).toBe('malformed');
    expect(store.lookups).toBe(0);
  });

  test('use of a key is written when the authenticator closes', async () => {
    const { auth } = authenticator();
    const { key, id } = await newKey();
    await auth.authenticate({ kind: 'apiKey', value: key });
    await auth.close();
    const row = (await listApiKeys(db.knex, tenantId)).find((k) => k.id === id);
    expect(row?.last_used_at).toEqual(expect.any(String));
  });
});

describe('bearer tokens', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

  test('a JWT-shaped bearer goes to the token verifier, never to the key lookup', async () => {
    const verified: string[] = [];
    const jwt: JwtVerifier = async (value) => {
      verified.push(value);
      return { subject: 'backend-1', tenantId, scope: 'system/Patient.rs' };
    };
    const { auth, store } = authenticator({ jwt });
    const principal = await auth.authenticate({ kind: 'bearer', value: token });
    expect(principal).toMatchObject({ tenantId, kind: 'jwt', subject: 'backend-1' });
    expect(allows(principal.scopes, 'Patient', 'r')).toBe(true);
    expect(verified).toEqual([token]);
    expect(store.lookups).toBe(0);
  });

  test('without a token verifier a JWT is an invalid token', async () => {
    const { auth } = authenticator();
    expect((await failure(auth, { kind: 'bearer', value: token })).reason).toBe('invalid_token');
  });

  test('a token naming a tenant that does not exist is an invalid token', async () => {
    const jwt: JwtVerifier = async () => ({ subject: 'backend-1', tenantId: randomUUID(), scope: 'system/Patient.rs' });
    const { auth } = authenticator({ jwt });
    expect((await failure(auth, { kind: 'bearer', value: token })).reason).toBe('invalid_token');
  });

  test('the verifier’s reason (expired) reaches the caller', async () => {
    const jwt: JwtVerifier = async () => {
      throw new AuthenticationError('expired');
    };
    const { auth } = authenticator({ jwt });
    expect((await failure(auth, { kind: 'bearer', value: token })).reason).toBe('expired');
  });
});

test('no failure carries the credential it refused', async () => {
  const { auth } = authenticator();
  const { key, id } = await newKey();
  await revokeApiKey(db.knex, id);
  const refused = [generateApiKey(), key, 'fhk_short', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'];
  for (const value of refused) {
    const err = await failure(auth, { kind: 'bearer', value });
    for (const text of [err.message, String(err), JSON.stringify(err), err.stack ?? '']) expect(text).not.toContain(value);
  }
});
