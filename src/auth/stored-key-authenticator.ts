import type { Knex } from 'knex';
import type { Config } from '../config';
import { findApiKeyByHash, touchApiKeys } from '../store/api-keys';
import { tenantExists } from '../store/tenants';
import { Authenticator } from './authenticator';
import { createJwtVerifier } from './jwt';

/** The authenticator of the API keys stored in the database, and of access tokens when JWT settings are given. */
export function storedKeyAuthenticator(knex: Knex, config: Pick<Config, 'apiKeyPepper' | 'jwt' | 'apiKeyCacheMs'>): Authenticator {
  return new Authenticator({
    store: {
      findKey: async (hash) => {
        const row = await findApiKeyByHash(knex, hash);
        return row && { id: row.id, tenantId: row.tenant_id, scopes: row.scopes, revoked: row.revoked_at !== null };
      },
      tenantExists: (id) => tenantExists(knex, id),
      touchKeys: (ids) => touchApiKeys(knex, ids),
    },
    pepper: config.apiKeyPepper,
    jwt: config.jwt && createJwtVerifier(config.jwt),
    ttlMs: config.apiKeyCacheMs,
  });
}
