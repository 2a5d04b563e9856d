import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { knownGaps, r4Examples, withoutServerMeta } from '../helpers/r4-examples';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/*
 * Every official R4 example of the six stored types goes in and comes back unchanged, or is
 * listed with its status and reason in docs/r4-examples.md — which this file reads.
 */
const examples = r4Examples();
const gaps = new Map(knownGaps().map((g) => [g.file, g]));
const accepted = examples.filter((e) => !gaps.has(e.file)).map((e) => [e.file, e.resource] as const);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const put = (resource: Resource & { id: string }) =>
  t.http.put(`${FHIR_BASE}/${resource.resourceType}/${resource.id}`).set('content-type', 'application/fhir+json').send(resource);
const post = (resource: Resource) => t.http.post(`${FHIR_BASE}/${resource.resourceType}`).set('content-type', 'application/fhir+json').send(resource);
const read = (type: string, id: string) => t.http.get(`${FHIR_BASE}/${type}/${id}`);

test('the examples cover the six types and every documented gap names one of them', () => {
  expect(new Set(examples.map((e) => e.resource.resourceType)).size).toBe(6);
  expect(examples.length).toBeGreaterThanOrEqual(70);
  for (const file of gaps.keys()) expect(examples.map((e) => e.file)).toContain(file);
});

test.each(accepted)('PUT %s creates it under its own id and reads back what was sent', async (_file, resource) => {
  const res = await put(resource);
  expect(res.status).toBe(201);
  expect(withoutServerMeta(res.body)).toEqual(withoutServerMeta(resource));
  const stored = await read(resource.resourceType, resource.id);
  expect(stored.status).toBe(200);
  expect(withoutServerMeta(stored.body)).toEqual(withoutServerMeta(resource));
});

test.each(accepted)('POST %s creates it under a server id and reads back what was sent', async (_file, resource) => {
  const res = await post(resource);
  expect(res.status).toBe(201);
  const id = res.body.id as string;
  expect(id).not.toBe(resource.id);
  expect(res.headers.location).toMatch(new RegExp(`/${resource.resourceType}/${id}/_history/1$`));
  const stored = await read(resource.resourceType, id);
  expect(stored.status).toBe(200);
  expect(withoutServerMeta(stored.body)).toEqual(withoutServerMeta({ ...resource, id }));
});

test('every documented gap is still rejected, with the documented status and reason', async () => {
  for (const gap of gaps.values()) {
    const example = examples.find((e) => e.file === gap.file);
    if (!example) throw new Error(`${gap.file} is not an example`);
    for (const res of [await put(example.resource), await post(example.resource)]) {
      const texts = (res.body as OperationOutcome).issue?.map((i) => `${i.details?.text ?? ''} ${i.diagnostics ?? ''}`) ?? [];
      expect({ file: gap.file, status: res.status }).toEqual({ file: gap.file, status: gap.status });
      expect(texts.some((text) => text.includes(gap.reason))).toBe(true);
    }
  }
});
