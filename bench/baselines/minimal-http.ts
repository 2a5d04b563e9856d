import http from 'node:http';

/** The same few lines every node:http baseline shares: read the body, answer JSON. */
export type Handler = (method: string, url: string, body: string) => Promise<{ status: number; json: string }>;

export function serveBaseline(handler: Handler): void {
  const port = Number(process.env.PORT);
  http
    .createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = req.url ?? '/';
        const answer =
          url === '/healthz' ? Promise.resolve({ status: 200, json: '{}' }) : handler(req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8'));
        answer.then(
          ({ status, json }) => {
            res.writeHead(status, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(json) });
            res.end(json);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(err));
          },
        );
      });
    })
    .listen(port, '127.0.0.1');
}

/** The baselines' own schema (created and dropped by the benchmark), checked before it goes into SQL. */
export function baselineTable(): string {
  const schema = process.env.BASELINE_SCHEMA ?? '';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('BASELINE_SCHEMA must be a plain identifier');
  return `${schema}.patients`;
}
