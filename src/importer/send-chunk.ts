import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { Parameters } from '@medplum/fhirtypes';
import type { Chunk } from './read-chunks';

/** A status worth another try: the server is throttling or briefly unable to reach its database. */
class Retryable extends Error {}

const policy = retry(
  handleWhen((err) => err instanceof Retryable || (err instanceof TypeError && /fetch failed/.test(err.message))),
  { maxAttempts: 6, backoff: new ExponentialBackoff({ initialDelay: 500, maxDelay: 15_000 }) },
);

/** Posts one chunk to `$import`; resends it on 429/503 or a lost connection (a resent chunk stores nothing twice). */
export function sendChunk(importUrl: string, apiKey: string | undefined, chunk: Chunk): Promise<Parameters> {
  return policy.execute(async () => {
    const res = await fetch(importUrl, {
      method: 'POST',
      headers: { 'content-type': chunk.contentType, accept: 'application/fhir+json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: chunk.body,
    });
    const text = await res.text();
    if (res.status === 429 || res.status === 503) throw new Retryable(`${res.status} ${text.slice(0, 300)}`);
    if (!res.ok) throw new Error(`${chunk.file} (from line ${chunk.firstLine}): ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as Parameters;
  });
}
