import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let closed: TestApp;
let open: TestApp;
beforeAll(async () => {
  closed = await startTestApp();
  open = await startTestApp({ env: { CORS_ORIGINS: 'https://app.example.test' } });
});
afterAll(async () => {
  await open.close();
  await closed.close();
});

/** Headers only a rendered document uses: the HTML pages get them, API answers do not. */
const DOCUMENT_ONLY = [
  'cross-origin-opener-policy',
  'origin-agent-cluster',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-xss-protection',
  'x-permitted-cross-domain-policies',
];

test('API answers carry the REST set: nothing loaded, never framed, not sniffed, not stored', async () => {
  const answers = [
    await closed.anonymous.get(`${FHIR_BASE}/metadata`).expect(200),
    await closed.http.get(`${FHIR_BASE}/Patient`).expect(200),
    await closed.anonymous.get(`${FHIR_BASE}/Patient`).expect(401),
    await closed.http.get('/v1/clinician-profiles').expect(200),
    await closed.anonymous.get('/healthz').expect(200),
  ];
  for (const res of answers) {
    expect(res.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.get('x-frame-options')).toBe('DENY');
    expect(res.get('x-content-type-options')).toBe('nosniff');
    expect(res.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(res.get('referrer-policy')).toBe('no-referrer');
    expect(res.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.get('cache-control')).toBe('no-store');
    expect(res.get('x-powered-by')).toBeUndefined();
    for (const header of DOCUMENT_ONLY) expect(res.get(header)).toBeUndefined();
  }
});

test('the HTML pages carry helmet’s set for documents, and no no-store', async () => {
  for (const path of ['/', '/docs']) {
    const res = await closed.anonymous.get(path).set('accept', 'text/html').expect(200);
    expect(res.get('content-type')).toMatch(/^text\/html/);
    expect(res.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.get('x-content-type-options')).toBe('nosniff');
    for (const header of DOCUMENT_ONLY) expect(res.get(header)).toBeDefined();
    expect(res.get('cache-control')).toBeUndefined();
  }
});

test('a conditional read still answers 304 under no-store', async () => {
  const created = await closed.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', gender: 'other' }).expect(201);
  const res = await closed.http.get(`${FHIR_BASE}/Patient/${created.body.id}`).set('if-none-match', String(created.get('etag')));
  expect(res.status).toBe(304);
  expect(res.get('cache-control')).toBe('no-store');
});

test('CORS is off unless CORS_ORIGINS lists the origin', async () => {
  const origin = 'https://app.example.test';
  expect((await closed.anonymous.get(`${FHIR_BASE}/metadata`).set('origin', origin)).get('access-control-allow-origin')).toBeUndefined();
  expect((await open.anonymous.get(`${FHIR_BASE}/metadata`).set('origin', origin)).get('access-control-allow-origin')).toBe(origin);
  expect((await open.anonymous.get(`${FHIR_BASE}/metadata`).set('origin', 'https://evil.test')).get('access-control-allow-origin')).toBeUndefined();
});
