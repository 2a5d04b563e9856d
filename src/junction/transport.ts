import { JunctionUnavailableError } from './errors';
import { parseRetryAfter } from './retry-after';

/** One HTTP exchange with Junction, without retries: the resilience policy wraps it. */
export interface JunctionRequest {
  method: 'GET' | 'POST';
  /** Path below the base URL, already encoded, e.g. `/v3/order/abc`. */
  path: string;
  body?: unknown;
  idempotencyKey?: string;
}

/** A final answer: 2xx, or a 4xx other than 408 and 429. */
export interface JunctionResponse {
  status: number;
  /** Parsed JSON; undefined when a 4xx body is empty or not JSON. */
  body: unknown;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

// Junction's largest answers (an order with its transaction) are a few kilobytes.
const MAX_BODY_BYTES = 1024 * 1024;

// Errors that prove the request never left this machine.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** Sends once; throws JunctionUnavailableError for timeouts, network failures, 408, 429 and 5xx. */
export async function sendJunctionRequest(options: TransportOptions, request: JunctionRequest): Promise<JunctionResponse> {
  const writes = request.method !== 'GET';
  const headers: Record<string, string> = { 'x-vital-api-key': options.apiKey, accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.idempotencyKey !== undefined) headers['x-idempotency-key'] = request.idempotencyKey;
  let status: number;
  let text: string;
  let retryAfter: string | null;
  try {
    const response = await fetch(`${options.baseUrl.replace(/\/+$/, '')}${request.path}`, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      // Following a redirect would send the API key to wherever it points.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    status = response.status;
    retryAfter = response.headers.get('retry-after');
    text = await readText(response, writes);
  } catch (err) {
    throw transportFailure(err, writes);
  }
  if (status === 408 || status === 429 || status >= 500) {
    // A 5xx on a write may come after Junction acted; a 408 or 429 is refused before it acts.
    throw new JunctionUnavailableError({ reason: 'status', status, outcomeUnknown: writes && status >= 500, retryAfterMs: parseRetryAfter(retryAfter) });
  }
  const body = parseJson(text);
  if (status >= 400) return { status, body };
  if (status >= 300 || body === undefined) throw new JunctionUnavailableError({ reason: 'invalid_response', status, outcomeUnknown: writes });
  return { status, body };
}

function transportFailure(err: unknown, writes: boolean): unknown {
  if (err instanceof JunctionUnavailableError) return err;
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError') return new JunctionUnavailableError({ reason: 'timeout', outcomeUnknown: writes });
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const notSent = typeof code === 'string' && NOT_SENT_CODES.has(code);
  return new JunctionUnavailableError({ reason: 'network', outcomeUnknown: writes && !notSent });
}

async function readText(response: Response, writes: boolean): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw new JunctionUnavailableError({ reason: 'invalid_response', status: response.status, outcomeUnknown: writes });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
