import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../helpers/test-app';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  base = await t.listen();
});
afterAll(() => t.close());

/** `npm run admin -- …` against the running server, as an operator types it. */
async function admin(...args: string[]): Promise<unknown> {
  const env = { ...process.env, ADMIN_URL: base, ADMIN_API_KEY: t.apiKey };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/admin-cli.ts', ...args], { cwd: ROOT, env });
  return JSON.parse(stdout);
}

test('npm run admin makes a tenant and a key over HTTP, lists and revokes it', async () => {
  const tenant = (await admin('tenants', 'create', 'CLI', 'Clinic')) as { id: string; name: string };
  expect(tenant.name).toBe('CLI Clinic');
  const key = (await admin('keys', 'create', tenant.id, 'ehr', 'system/*.rs')) as { id: string; key: string; scopes: string[] };
  expect(key.scopes).toEqual(['system/*.rs']);
  expect((await t.anonymous.get('/fhir/R4/Patient').set('x-api-key', key.key)).status).toBe(200);
  const listed = (await admin('keys', 'list', tenant.id)) as { data: { id: string }[] };
  expect(listed.data.map((k) => k.id)).toEqual([key.id]);
  await admin('keys', 'revoke', key.id);
  expect((await t.anonymous.get('/fhir/R4/Patient').set('x-api-key', key.key)).status).toBe(401);
}, 60_000);

test('a command it does not know prints the usage and fails', async () => {
  await expect(admin('keys', 'rotate')).rejects.toMatchObject({ stderr: expect.stringContaining('usage: npm run admin') });
}, 30_000);
