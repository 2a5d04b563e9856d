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

test('security headers are set on every answer', async () => {
  const res = await closed.anonymous.get(`${FHIR_BASE}/metadata`);
  expect(res.get('x-content-type-options')).toBe('nosniff');
  expect(res.get('strict-transport-security')).toBeDefined();
  expect(res.get('x-powered-by')).toBeUndefined();
});

test('CORS is off unless CORS_ORIGINS lists the origin', async () => {
  const origin = 'https://app.example.test';
  expect((await closed.anonymous.get(`${FHIR_BASE}/metadata`).set('origin', origin)).get('access-control-allow-origin')).toBeUndefined();
  expect((await open.anonymous.get(`${FHIR_BASE}/metadata`).set('origin', origin)).get('access-control-allow-origin')).toBe(origin);
  expect((await open.anonymous.get(`${FHIR_BASE}/metadata`).set('origin', 'https://evil.test')).get('access-control-allow-origin')).toBeUndefined();
});
