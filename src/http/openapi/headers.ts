import type { DocumentedHeader } from '../../route-doc';

/** Headers on every answer of the APIs (the RateLimit-* ones are set once the caller is authenticated). */
export const EVERY_ANSWER = ['X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'] as const;

type HeaderName = DocumentedHeader | (typeof EVERY_ANSWER)[number];

const integer = { type: 'integer', minimum: 0 };

/** The response headers of the document (`components.headers`), as src/http sends them. */
export const RESPONSE_HEADERS: Record<HeaderName, { description: string; schema: Record<string, unknown> }> = {
  'X-Request-Id': { description: 'The request id (a well-formed incoming X-Request-Id is echoed); logs carry it', schema: { type: 'string' } },
  'RateLimit-Limit': { description: 'Requests per window of this caller (RATE_LIMIT_POINTS)', schema: integer },
  'RateLimit-Remaining': { description: 'Requests left in the current window, after this one', schema: integer },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: integer },
  'RateLimit-Policy': { description: 'The budget and window, e.g. `500;w=3600`', schema: { type: 'string' } },
  Location: { description: 'The path of the new resource', schema: { type: 'string' } },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same idempotency-key',
    schema: { type: 'string', enum: ['true'] },
  },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: integer },
  'WWW-Authenticate': { description: 'The Bearer challenge (RFC 6750)', schema: { type: 'string' } },
};

/** `{ name: { $ref } }` for a response's `headers`. */
export function headerRefs(names: readonly HeaderName[]): Record<string, { $ref: string }> {
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}
