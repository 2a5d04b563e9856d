import { randomUUID } from 'node:crypto';
import { generateApiKey, hashApiKey } from '../../src/auth/api-key-material';
import {
  countActiveApiKeys,
  ensureApiKey,
  findApiKeyByHash,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKeys,
  type NewApiKey,
} from '../../src/store/api-keys';
import { createTenant, listTenants, tenantExists } from '../../src/store/tenants';
import { openTestDatabase, type TestDatabase } from './test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const PEPPER = 'store-test-pepper';

async function newTenant(): Promise<string> {
  return (await createTenant(db.knex, `Clinic ${randomUUID()}`)).id;
}

function newKey(tenantId: string, scopes = ['system/Patient.rs']): NewApiKey & { key: string } {
  const key = generateApiKey();
  return { key, tenantId, name: `key ${randomUUID().slice(0, 8)}`, scopes, keyHash: hashApiKey(key, PEPPER) };
}

describe('tenants', () => {
  test('a tenant made is listed and exists; a made-up id does not', async () => {
    const name = `Clinic ${randomUUID()}`;
    const tenant = await createTenant(db.knex, name);
    expect(tenant).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name, created_at: expect.any(String) });
    expect(new Date(tenant.created_at).toISOString()).toBe(tenant.created_at);
    expect(await listTenants(db.knex)).toContainEqual(tenant);
    expect(await tenantExists(db.knex, tenant.id)).toBe(true);
    expect(await tenantExists(db.knex, randomUUID())).toBe(false);
  });
});

describe('API keys', () => {
  test('a key row is stored with its tenant, name and scopes, and never shows its hash', async () => {
    const tenantId = await newTenant();
    const key = newKey(tenantId, ['system/Patient.cruds', 'admin']);
    const row = await insertApiKey(db.knex, key);
    expect(row).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenant_id: tenantId,
      name: key.name,
      scopes: ['system/Patient.cruds', 'admin'],
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    });
    const stored = await db.knex('api_keys').where({ id: row.id }).first();
    expect(stored.key_hash).toBe(key.keyHash);
    expect(JSON.stringify(stored)).not.toContain(key.key);
  });

  test('a key is found by its hash; another hash finds nothing', async () => {
    const key = newKey(await newTenant());
    const row = await insertApiKey(db.knex, key);
    expect(await findApiKeyByHash(db.knex, key.keyHash)).toEqual(row);
    expect(await findApiKeyByHash(db.knex, hashApiKey(key.key, 'another pepper'))).toBeUndefined();
  });

  test('two keys cannot share a hash (unique violation), and a key needs an existing tenant (foreign key)', async () => {
    const key = newKey(await newTenant());
    await insertApiKey(db.knex, key);
    await expect(insertApiKey(db.knex, { ...key, name: 'again' })).rejects.toMatchObject({ code: '23505' });
    await expect(insertApiKey(db.knex, newKey(randomUUID()))).rejects.toMatchObject({ code: '23503' });
  });

  test('a tenant lists only its own keys, oldest first, without hashes', async () => {
    const [mine, theirs] = [await newTenant(), await newTenant()];
    const first = await insertApiKey(db.knex, newKey(mine));
    const second = await insertApiKey(db.knex, newKey(mine));
    await insertApiKey(db.knex, newKey(theirs));
    const listed = await listApiKeys(db.knex, mine);
    expect(listed.map((k) => k.id)).toEqual([first.id, second.id]);
    for (const row of listed) expect(row).not.toHaveProperty('key_hash');
    expect((await listApiKeys(db.knex)).map((k) => k.id)).toEqual(expect.arrayContaining([first.id, second.id]));
  });

  test('revoking answers whether there was an active key; the revoked row stays, marked', async () => {
    const key = newKey(await newTenant());
    const row = await insertApiKey(db.knex, key);
    const active = await countActiveApiKeys(db.knex);
    expect(await revokeApiKey(db.knex, row.id)).toBe(true);
    expect(await revokeApiKey(db.knex, row.id)).toBe(false);
    expect(await revokeApiKey(db.knex, randomUUID())).toBe(false);
    expect(await countActiveApiKeys(db.knex)).toBe(active - 1);
    expect((await findApiKeyByHash(db.knex, key.keyHash))?.revoked_at).toEqual(expect.any(String));
  });

  test('touching keys records their last use; no ids is no statement', async () => {
    const row = await insertApiKey(db.knex, newKey(await newTenant()));
    await touchApiKeys(db.knex, []);
    await touchApiKeys(db.knex, [row.id]);
    const [touched] = await listApiKeys(db.knex, row.tenant_id);
    expect(touched?.last_used_at).toEqual(expect.any(String));
  });

  test('ensuring the bootstrap key twice leaves one active row with the scopes asked for, even after a revocation', async () => {
    const tenantId = await newTenant();
    const key = newKey(tenantId, ['system/*.rs']);
    await ensureApiKey(db.knex, key);
    await ensureApiKey(db.knex, key);
    const [row] = await listApiKeys(db.knex, tenantId);
    expect(await listApiKeys(db.knex, tenantId)).toHaveLength(1);
    await revokeApiKey(db.knex, row?.id ?? '');
    await ensureApiKey(db.knex, { ...key, scopes: ['system/*.cruds', 'admin'] });
    expect(await listApiKeys(db.knex, tenantId)).toEqual([expect.objectContaining({ id: row?.id, scopes: ['system/*.cruds', 'admin'], revoked_at: null })]);
  });

  test('concurrent starters ensuring the same key meet on its hash', async () => {
    const tenantId = await newTenant();
    const key = newKey(tenantId);
    await Promise.all(Array.from({ length: 5 }, () => ensureApiKey(db.knex, key)));
    expect(await listApiKeys(db.knex, tenantId)).toHaveLength(1);
  });
});
