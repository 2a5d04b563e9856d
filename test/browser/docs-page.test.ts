import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** Debian's chromium (`.ci/run` installs it when missing); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = path.join(__dirname, '../../docs/images/docs-page.png');

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  base = await t.listen();
});
afterAll(() => t.close());

/** The page, its script and styles, and the renderer's files, as a browser would fetch them. */
async function expectPageOverHttp(): Promise<void> {
  const page = await fetch(`${base}/docs`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = page.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/script-src 'self'(;|$)/);
  const html = await page.text();
  expect(html).toContain('data-spec-url="/v1/openapi.json"');
  expect(html).toContain('href="/fhir/R4/metadata"');
  // Under `script-src 'self'` an inline script would not run: every script is a file of this origin.
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  expect(scripts.map(([, attributes, body]) => [attributes, body])).toEqual([
    [' src="/docs/assets/swagger-ui-bundle.js"', ''],
    [' src="/docs/init.js"', ''],
  ]);
  const assets: [string, RegExp][] = [
    ['/docs/assets/swagger-ui-bundle.js', /^(application|text)\/javascript/],
    ['/docs/assets/swagger-ui.css', /^text\/css/],
    ['/docs/assets/favicon-32x32.png', /^image\/png/],
    ['/docs/init.js', /^(application|text)\/javascript/],
    ['/docs/page.css', /^text\/css/],
    ['/v1/openapi.json', /^application\/json/],
  ];
  for (const [asset, type] of assets) {
    const res = await fetch(`${base}${asset}`);
    expect([asset, res.status, res.headers.get('content-type')]).toEqual([asset, 200, expect.stringMatching(type)]);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(50);
  }
  // Only the renderer's files are served from its package.
  for (const other of ['/docs/assets/index.html', '/docs/assets/swagger-initializer.js', '/docs/assets/package.json', '/docs/assets/%2e%2e/package.json']) {
    expect([other, (await fetch(`${base}${other}`)).status]).toEqual([other, 404]);
  }
}

test('the page and its assets are served over HTTP, each with its content type', async () => {
  await expectPageOverHttp();
});

test('the operations render in a headless Chromium, from this origin only and without errors', async () => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI)
      throw new Error(`Chromium is not installed at ${CHROMIUM}: CI must render the docs page in a real browser (.ci/run installs Debian's chromium)`);
    console.warn(`Chromium is not installed at ${CHROMIUM}: the docs page was checked over HTTP only (see docs/testing.md)`);
    await expectPageOverHttp();
    return;
  }
  const document = (await (await fetch(`${base}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.entries(document.paths).flatMap(([p, item]) => Object.keys(item).map((method) => ({ method, path: p })));

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => problems.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(`${base}/`) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });

    await page.goto(`${base}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBe(operations.length);
    for (const { method, path: p } of operations) {
      const block = page.locator(`.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${p}"]`) });
      expect([method, p, await block.count()]).toEqual([method, p, 1]);
    }
    expect(await page.locator('#fhir-capability-statement').getAttribute('href')).toBe('/fhir/R4/metadata');
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // One operation opened: its schema and example come from the document.
    const create = page.locator('.opblock-post').filter({ has: page.locator('.opblock-summary-path[data-path="/v1/patients"]') });
    await create.locator('.opblock-summary').click();
    await create.locator('.opblock-body').waitFor();
    expect(await create.locator('.opblock-body').innerText()).toContain('brand_id');

    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
  } finally {
    await browser.close();
  }
});
