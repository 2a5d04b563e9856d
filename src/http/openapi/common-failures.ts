import type { OutcomeKind } from '../../problems/outcomes';
import type { DocumentedApi, FailureDoc, RouteDoc } from '../../route-doc';

/**
 * The failures every route of an API can answer besides its own: authentication, scopes, the
 * rate limit, the database, and — by what the route takes — bodies, query strings and ids.
 */
export function commonFailures<S extends string>(api: DocumentedApi<S>, route: { path: string; doc: RouteDoc<S> }): Partial<Record<OutcomeKind, FailureDoc>> {
  const failures: Partial<Record<OutcomeKind, FailureDoc>> = {
    unauthorized: { description: 'unauthorized: the credentials are missing, malformed, unknown, revoked or expired', headers: ['WWW-Authenticate'] },
    forbidden: { description: 'insufficient_scope: the credentials are valid but their scopes do not cover this call' },
  };
  if (route.doc.body) {
    failures.badRequest = { description: 'validation_error: the body breaks the schema; invalid_json: it is not JSON' };
    failures.payloadTooLarge = { description: 'payload_too_large: the body is over BODY_LIMIT (1 MB by default)' };
    failures.unsupportedMediaType = {
      description: api.refusesOtherMediaTypes
        ? 'unsupported_media_type: the body is not application/json'
        : 'unsupported_media_type: an unsupported charset or encoding',
    };
  }
  if (route.doc.query) failures.badRequest = { description: 'invalid_parameter: a query parameter is malformed; the message names it' };
  if (/:\w+/.test(route.path)) failures.notFound = { description: 'not_found: nothing of this tenant has this id' };
  failures.tooManyRequests = { description: 'rate_limited: the caller’s budget for this window is spent', headers: ['Retry-After'] };
  failures.serverError = { description: 'internal_error: an unexpected fault; details are only logged' };
  failures.unavailable = { description: 'service_unavailable: the database cannot be reached', headers: ['Retry-After'] };
  return failures;
}
