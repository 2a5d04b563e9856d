import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import supertest from 'supertest';
import { httpServerFor } from '../../src/http/http-server';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

interface Shapes {
  /** Requests whose request or response had another prototype once answered than when node made it. */
  reshaped: number;
  answered: number;
}

/** Watches every exchange of `server`: the prototypes node made them with, against those they end with. */
function watchPrototypes(server: http.Server): Shapes {
  const shapes: Shapes = { reshaped: 0, answered: 0 };
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const made = [Object.getPrototypeOf(req), Object.getPrototypeOf(res)];
    res.once('finish', () => {
      shapes.answered += 1;
      if (Object.getPrototypeOf(req) !== made[0] || Object.getPrototypeOf(res) !== made[1]) shapes.reshaped += 1;
    });
  });
  return shapes;
}

async function createAndRead(server: http.Server): Promise<void> {
  const agent = supertest.agent(server).set('authorization', `Bearer ${t.apiKey}`);
  const created = await agent.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', name: [{ family: 'Shape' }] });
  expect(created.status).toBe(201);
  const read = await agent.get(`${FHIR_BASE}/Patient/${(created.body as { id: string }).id}`);
  expect(read.status).toBe(200);
  expect(read.get('x-request-id')).toMatch(/^req_/);
  expect(read.get('etag')).toBe('W/"1"');
  const missing = await agent.get(`${FHIR_BASE}/Patient/no-such-patient`);
  expect(missing.status).toBe(404);
  expect(missing.get('content-type')).toMatch(/^application\/fhir\+json/);
}

test("the server's requests and responses keep the prototypes they were made with, Express's methods and all", async () => {
  const server = httpServerFor(t.app);
  const shapes = watchPrototypes(server);
  await createAndRead(server);
  expect(shapes).toEqual({ reshaped: 0, answered: 3 });
});

test('a second server of the same app serves it the same way', async () => {
  httpServerFor(t.app);
  const server = httpServerFor(t.app);
  const shapes = watchPrototypes(server);
  await createAndRead(server);
  expect(shapes).toEqual({ reshaped: 0, answered: 3 });
});

test('served as Express serves itself, every request and response is given new prototypes (what the server avoids)', async () => {
  const server = http.createServer(t.app);
  const shapes = watchPrototypes(server);
  await createAndRead(server);
  expect(shapes).toEqual({ reshaped: 3, answered: 3 });
});
