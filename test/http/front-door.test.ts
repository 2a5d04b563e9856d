import { startTestApp, type TestApp } from '../helpers/test-app';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const LINKED = ['/docs', '/v1/openapi.json', '/fhir/R4/metadata', '/healthz', '/readyz'];

let t: TestApp;
let proxied: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  proxied = await startTestApp({ env: { PUBLIC_BASE_URL: 'https://fhir.example.test' } });
});
afterAll(async () => {
  await proxied.close();
  await t.close();
});

test('a browser gets an HTML page linking the docs, the OpenAPI document, the CapabilityStatement and the probes, without credentials', async () => {
  const res = await t.anonymous.get('/').set('accept', BROWSER_ACCEPT);
  expect(res.status).toBe(200);
  expect(res.type).toBe('text/html');
  expect(res.get('vary')).toMatch(/accept/i);
  expect(res.text).toMatch(/^<!doctype html>/);
  for (const href of LINKED) expect(res.text).toContain(`href="${href}"`);
});

test('the page runs under the CSP: no script at all, and its one stylesheet comes from this origin', async () => {
  const res = await t.anonymous.get('/').set('accept', 'text/html');
  const csp = res.get('content-security-policy') ?? '';
  expect(csp).toMatch(/style-src 'self'/);
  expect(res.text).not.toMatch(/<script|\son[a-z]+=|style=/i);
  const stylesheet = /<link rel="stylesheet" href="([^"]+)">/.exec(res.text)?.[1];
  expect(stylesheet).toMatch(/^\/[a-z-]+\.css$/);
  const css = await t.anonymous.get(stylesheet as string);
  expect(css.status).toBe(200);
  expect(css.type).toBe('text/css');
  expect(css.text).toContain('font');
});

test.each([
  ['application/json', 'application/json'],
  ['no Accept header', undefined],
  ['*/*', '*/*'],
  ['application/fhir+json', 'application/fhir+json'],
])('an API client (%s) gets JSON with absolute links', async (_label, accept) => {
  const req = t.anonymous.get('/');
  if (accept) req.set('accept', accept);
  const res = await req;
  expect(res.status).toBe(200);
  expect(res.type).toBe('application/json');
  // supertest serves the app on an ephemeral loopback port: the links carry the Host it was asked by.
  const origin = new URL(res.body.links.docs.href as string).origin;
  expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(res.body.name).toEqual(expect.any(String));
  expect(res.body.links).toMatchObject({
    docs: { href: `${origin}/docs` },
    openapi: { href: `${origin}/v1/openapi.json` },
    'fhir-base': { href: `${origin}/fhir/R4` },
    'fhir-metadata': { href: `${origin}/fhir/R4/metadata` },
    healthz: { href: `${origin}/healthz` },
    readyz: { href: `${origin}/readyz` },
  });
});

test('a client that prefers JSON over HTML gets JSON', async () => {
  const res = await t.anonymous.get('/').set('accept', 'text/html;q=0.5, application/json');
  expect(res.type).toBe('application/json');
});

test('the JSON links use PUBLIC_BASE_URL when it is set', async () => {
  const res = await proxied.anonymous.get('/').set('accept', 'application/json');
  expect(res.body.links['fhir-metadata'].href).toBe('https://fhir.example.test/fhir/R4/metadata');
});

test('every link the front door names for the CapabilityStatement and the probes answers without credentials', async () => {
  const { body } = await t.anonymous.get('/');
  for (const rel of ['fhir-metadata', 'healthz', 'readyz']) {
    const path = new URL(body.links[rel].href as string).pathname;
    expect((await t.anonymous.get(path)).status).toBe(200);
  }
});

test('a path that is not the front door still answers 404', async () => {
  expect((await t.anonymous.get('/index.html').set('accept', 'text/html')).status).toBe(404);
});
