import { isOperationOutcomeError, statusOf, type OutcomeKind } from './outcomes';

/** A failure as every API family can word it: its kind (which decides the status), a stable code, a sentence, the field. */
export interface ProblemInput {
  kind: OutcomeKind;
  code: string;
  message: string;
  field?: string;
  headers?: Record<string, string>;
}

export interface Problem extends ProblemInput {
  status: number;
}

export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(input: ProblemInput) {
    super(input.message);
    this.name = 'ProblemError';
    this.problem = { ...input, status: statusOf(input.kind) };
  }
}

/** A problem described by its kind; the status follows from it. */
export function problemOf(input: ProblemInput): Problem {
  return { ...input, status: statusOf(input.kind) };
}

/** A 400 naming the field, in the code a family documents (`validation_error`, `invalid_parameter`). */
export function invalidField(field: string | undefined, message: string, code = 'validation_error'): ProblemError {
  return new ProblemError({ kind: 'badRequest', code, message, field });
}

/** A 404; the message says what was looked for, never whose it is. */
export function notFoundProblem(message: string, field?: string): ProblemError {
  return new ProblemError({ kind: 'notFound', code: 'not_found', message, field });
}

/** A 403: the credentials are valid but their scopes do not cover the request. */
export function insufficientScope(message: string): ProblemError {
  return new ProblemError({ kind: 'forbidden', code: 'insufficient_scope', message });
}

/** A 503 that tells the client when to come back: nothing was wrong with the request. */
export function unavailableProblem(retryAfterSeconds: number): Problem {
  return problemOf({
    kind: 'unavailable',
    code: 'service_unavailable',
    message: `The service is temporarily unavailable; retry in ${retryAfterSeconds} seconds`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

/**
 * A 503 for a request whose statement ran past the statement timeout: the request was well
 * formed, the server gave up on it. Retrying the same search is likely to time out again, so the
 * message says to narrow it; a write that timed out (behind a lock) may succeed later.
 */
export function timedOutProblem(retryAfterSeconds: number): Problem {
  return problemOf({
    kind: 'timedOut',
    code: 'timeout',
    message: 'The request ran longer than the server allows; narrow the search or retry later',
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

/** What a request whose transaction met another's is told: it wrote nothing, and may be sent again. */
export const CONCURRENT_CONFLICT_MESSAGE = 'The request met a concurrent change to the same resources and wrote nothing; send it again';

/** A 409 for a request whose transaction PostgreSQL ended for another's sake (a deadlock, a serialization failure). */
export function concurrentConflictProblem(): Problem {
  return problemOf({ kind: 'conflict', code: 'conflict', message: CONCURRENT_CONFLICT_MESSAGE });
}

const CODE_BY_KIND: Partial<Record<OutcomeKind, string>> = {
  badRequest: 'validation_error',
  unprocessable: 'validation_error',
  notFound: 'not_found',
  gone: 'not_found',
  conflict: 'conflict',
  preconditionFailed: 'conflict',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  notAcceptable: 'not_acceptable',
  tooManyRequests: 'rate_limited',
  badGateway: 'upstream_error',
  unavailable: 'service_unavailable',
  timedOut: 'timeout',
};

/** Anything thrown, as a Problem; unknown errors become a bare 500 with no internals. */
export function toProblem(err: unknown): Problem {
  if (err instanceof ProblemError) return err.problem;
  if (isOperationOutcomeError(err)) {
    const issue = err.outcome.resource.issue?.[0];
    return problemOf({
      kind: err.outcome.kind,
      code: CODE_BY_KIND[err.outcome.kind] ?? 'error',
      message: issue?.details?.text ?? 'Request failed',
      field: issue?.expression?.[0],
    });
  }
  return bodyParserProblem(err) ?? problemOf({ kind: 'serverError', code: 'internal_error', message: 'An unexpected error occurred' });
}

const KIND_BY_PARSER_STATUS: Record<number, OutcomeKind> = { 413: 'payloadTooLarge', 415: 'unsupportedMediaType' };

/** Errors raised by express's body parsers (they carry `type` and `status`). */
function bodyParserProblem(err: unknown): Problem | undefined {
  const e = err as { type?: string; status?: number; limit?: number };
  switch (e?.type) {
    case 'entity.parse.failed':
      return problemOf({ kind: 'badRequest', code: 'invalid_json', message: 'The request body is not valid JSON' });
    case 'entity.too.large':
      return problemOf({
        kind: 'payloadTooLarge',
        code: 'payload_too_large',
        message: `The request body exceeds the limit of ${e.limit ?? 'the configured'} bytes`,
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problemOf({ kind: 'unsupportedMediaType', code: 'unsupported_media_type', message: 'Unsupported body encoding or charset' });
    case 'request.aborted':
      return problemOf({ kind: 'badRequest', code: 'request_aborted', message: 'The request was aborted' });
    default:
      return isClientStatus(e?.status)
        ? problemOf({ kind: KIND_BY_PARSER_STATUS[e.status] ?? 'badRequest', code: 'bad_request', message: 'The request could not be read' })
        : undefined;
  }
}

function isClientStatus(status: number | undefined): status is number {
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Whether the problem is the server's fault (logged), not the client's. */
export function isServerProblem(problem: Problem): boolean {
  return problem.status >= 500;
}
