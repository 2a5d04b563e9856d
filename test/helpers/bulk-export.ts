import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceHooks } from '../../src/fhir/access';
import { SYNTHEA_DIR, SYNTHEA_TYPES } from './synthea';
import { FHIR_BASE, type TestApp } from './test-app';

export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: unknown[];
}

export const RESPOND_ASYNC = { prefer: 'respond-async' };

/** Loads the Synthea sample (every type but ServiceRequest) into the app's tenant. */
export async function importSynthea(app: TestApp): Promise<void> {
  const body = SYNTHEA_TYPES.map((type) => readFileSync(path.join(SYNTHEA_DIR, `${type}.ndjson`), 'utf8').trim()).join('\n');
  const res = await app.http.post(`${FHIR_BASE}/$import`).set('content-type', 'application/fhir+ndjson').send(body);
  expect(res.status).toBe(200);
}

/** Kicks an export off (`path` below the FHIR base, query included); its status URL as a path. */
export async function kickOff(app: TestApp, pathAndQuery: string, key = app.apiKey): Promise<string> {
  const res = await app.http.get(`${FHIR_BASE}${pathAndQuery}`).set(RESPOND_ASYNC).set('authorization', `Bearer ${key}`);
  expect(res.status).toBe(202);
  expect(res.headers['content-location']).toMatch(/^http:\/\/.+\/fhir\/R4\/bulk-export\/[0-9a-f-]{36}$/);
  return new URL(res.headers['content-location'] as string).pathname;
}

/** Polls a status URL until it is no longer 202; the last answer. */
export async function pollUntilDone(app: TestApp, statusPath: string, key = app.apiKey) {
  for (let i = 0; i < 600; i++) {
    const res = await app.http.get(statusPath).set('authorization', `Bearer ${key}`);
    if (res.status !== 202) return res;
    expect(res.headers['x-progress']).toMatch(/resources exported/);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${statusPath} still running`);
}

/** Kick-off and polling to completion: the manifest. */
export async function exportAll(app: TestApp, pathAndQuery: string, key = app.apiKey): Promise<Manifest> {
  const res = await pollUntilDone(app, await kickOff(app, pathAndQuery, key), key);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.body as Manifest;
}

/** Downloads an output file and parses every line (each must be one JSON resource). */
export async function download(app: TestApp, url: string, key = app.apiKey): Promise<Resource[]> {
  const res = await app.http
    .get(new URL(url).pathname)
    .set('authorization', `Bearer ${key}`)
    .buffer(true)
    .parse((response, callback) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => callback(null, text));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
  const text = res.body as string;
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Resource);
}

/** Every output file of a manifest, downloaded, by type. */
export async function downloadAll(app: TestApp, manifest: Manifest, key = app.apiKey): Promise<Record<string, Resource[]>> {
  const files: Record<string, Resource[]> = {};
  for (const { type, url, count } of manifest.output) {
    files[type] = await download(app, url, key);
    expect(files[type]).toHaveLength(count);
    expect(files[type]?.every((r) => r.resourceType === type)).toBe(true);
  }
  return files;
}

/** The ids of resources, sorted. */
export const idsOf = (resources: readonly Resource[] | undefined): string[] => (resources ?? []).map((r) => r.id as string).sort();

/** The first issue's expression and text of a 4xx. */
export function issueOf(body: unknown): { expression?: string[]; text?: string } {
  const issue = (body as OperationOutcome).issue?.[0];
  return { expression: issue?.expression, text: issue?.details?.text };
}

/**
 * A hook that can hold an export: `hold(n)` lets `n` export accesses through, stops the next
 * one until `release()`, and lets later ones through; `reached` resolves when one is held.
 * Every export access counts: the kick-off's scope check of each type named in `_type`, then
 * each page read, whichever run makes it.
 */
export function exportGate() {
  let heldAt = -1;
  let seen = 0;
  let open: Promise<void> = Promise.resolve();
  let release = (): void => undefined;
  let onReached = (): void => undefined;
  let reached = Promise.resolve();
  const hook: ServiceHooks = {
    before: async (access) => {
      if (access.kind !== 'export' || seen++ !== heldAt) return;
      onReached();
      await open;
    },
  };
  return {
    hook,
    hold(accesses: number): void {
      seen = 0;
      heldAt = accesses;
      open = new Promise((resolve) => (release = resolve));
      reached = new Promise((resolve) => (onReached = resolve));
    },
    get reached(): Promise<void> {
      return reached;
    },
    release(): void {
      heldAt = -1;
      release();
    },
  };
}
