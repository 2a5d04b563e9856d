/**
 * `npm run admin -- <command>`: tenants and API keys. It calls the running server's admin API
 * (ADMIN_URL, default http://localhost:$PORT, with ADMIN_API_KEY or BOOTSTRAP_API_KEY); with
 * `--direct` it works on the PostgreSQL at DATABASE_URL while the server is down.
 */
import { Admin } from './auth/admin';
import { openDatabase } from './store/db';
import { migrateToLatest } from './store/migrate';

const USAGE = `usage: npm run admin -- [--direct] <command>
  tenants list
  tenants create <name>
  keys list [<tenant id>]
  keys create <tenant id> <name> <scope> [<scope> …]     e.g. system/*.cruds admin
  keys revoke <key id>`;

type Call = { method: 'GET' | 'POST' | 'DELETE'; path: string; body?: object };

function callOf(args: string[]): Call {
  const [noun, verb, ...rest] = args;
  if (noun === 'tenants' && verb === 'list') return { method: 'GET', path: '/admin/tenants' };
  if (noun === 'tenants' && verb === 'create' && rest[0]) return { method: 'POST', path: '/admin/tenants', body: { name: rest.join(' ') } };
  if (noun === 'keys' && verb === 'list') return { method: 'GET', path: `/admin/api-keys${rest[0] ? `?tenant_id=${encodeURIComponent(rest[0])}` : ''}` };
  if (noun === 'keys' && verb === 'create' && rest.length >= 3) {
    const [tenantId, name, ...scopes] = rest;
    return { method: 'POST', path: '/admin/api-keys', body: { tenant_id: tenantId, name, scopes } };
  }
  if (noun === 'keys' && verb === 'revoke' && rest[0]) return { method: 'DELETE', path: `/admin/api-keys/${encodeURIComponent(rest[0])}` };
  throw new Error(USAGE);
}

async function overHttp(call: Call): Promise<unknown> {
  const base = process.env.ADMIN_URL ?? `http://localhost:${process.env.PORT ?? 8080}`;
  const key = process.env.ADMIN_API_KEY ?? process.env.BOOTSTRAP_API_KEY;
  if (!key) throw new Error('set ADMIN_API_KEY (a key with the admin scope) or BOOTSTRAP_API_KEY');
  const res = await fetch(new URL(call.path, base), {
    method: call.method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: call.body && JSON.stringify(call.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${text}`);
  return text ? JSON.parse(text) : { ok: true };
}

async function direct(call: Call): Promise<unknown> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('--direct needs DATABASE_URL (embedded PGlite is single-process: use the HTTP API while the server runs)');
  const { knex } = openDatabase({ url });
  try {
    await migrateToLatest(knex);
    const admin = new Admin({ knex, pepper: process.env.API_KEY_PEPPER ?? '' });
    const { method, path, body } = call;
    const query = new URL(path, 'http://x');
    if (query.pathname === '/admin/tenants') return method === 'GET' ? { data: await admin.listTenants() } : admin.createTenant(body);
    if (query.pathname === '/admin/api-keys')
      return method === 'GET' ? { data: await admin.listKeys(query.searchParams.get('tenant_id') ?? undefined) } : admin.createKey(body);
    await admin.revokeKey(decodeURIComponent(query.pathname.split('/').at(-1) ?? ''));
    return { ok: true };
  } finally {
    await knex.destroy();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const isDirect = args[0] === '--direct';
  const call = callOf(isDirect ? args.slice(1) : args);
  process.stdout.write(`${JSON.stringify(await (isDirect ? direct(call) : overHttp(call)), null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
