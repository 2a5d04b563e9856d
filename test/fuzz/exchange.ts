import type supertest from 'supertest';

/** A request as the fuzzer sends it: the path carries its query string exactly as written (already encoded). */
export interface Sent {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Raw body text, sent byte for byte (UTF-8). */
  body?: string;
}

export interface Exchange {
  sent: Sent;
  status: number;
  /** The parsed JSON body (undefined when it is not JSON). */
  body: unknown;
  text: string;
  headers: Record<string, string>;
}

/** Sends one request through the app's authenticated agent. */
export async function exchange(agent: supertest.Agent, sent: Sent): Promise<Exchange> {
  let req = agent[sent.method](sent.path);
  if (sent.contentType !== undefined) req = req.set('content-type', sent.contentType);
  for (const [name, value] of Object.entries(sent.headers ?? {})) req = req.set(name, value);
  if (sent.body !== undefined) req = req.send(sent.body);
  const res = await req;
  let body: unknown = undefined;
  try {
    body = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    body = undefined;
  }
  return { sent, status: res.status, body, text: res.text ?? '', headers: res.headers as Record<string, string> };
}

const clipped = (text: string, max: number): string =>
  text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length} characters in all)`;

/** The request and response, for a failure message: enough to replay the request with curl. */
export function describeExchange(ex: Exchange): string {
  const { sent } = ex;
  const lines = [`${sent.method.toUpperCase()} ${sent.path.length > 2000 ? `${sent.path.slice(0, 2000)}… (${sent.path.length} characters)` : sent.path}`];
  if (sent.contentType !== undefined) lines.push(`content-type: ${sent.contentType}`);
  for (const [name, value] of Object.entries(sent.headers ?? {})) lines.push(`${name}: ${JSON.stringify(value)}`);
  if (sent.body !== undefined) lines.push(`body (JSON string of the text sent): ${clipped(sent.body, 3000)}`);
  lines.push(`→ ${ex.status} ${clipped(ex.text, 2000)}`);
  return lines.join('\n');
}

/** Fails with the exchange unless `ok`. */
export function check(ok: boolean, what: string, ex: Exchange): void {
  if (!ok) throw new Error(`${what}\n${describeExchange(ex)}`);
}
