import { isOperationOutcomeError, statusOf, type OutcomeKind } from '../fhir/outcomes';

/** A failure as every API family can word it: status, a stable code, a sentence, the field. */
export interface Problem {
  status: number;
  code: string;
  message: string;
  field?: string;
  headers?: Record<string, string>;
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
    this.name = 'ProblemError';
  }
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
};

/** Anything thrown, as a Problem; unknown errors become a bare 500 with no internals. */
export function toProblem(err: unknown): Problem {
  if (err instanceof ProblemError) return err.problem;
  if (isOperationOutcomeError(err)) {
    const issue = err.outcome.resource.issue?.[0];
    return {
      status: statusOf(err.outcome),
      code: CODE_BY_KIND[err.outcome.kind] ?? 'error',
      message: issue?.details?.text ?? 'Request failed',
      field: issue?.expression?.[0],
    };
  }
  const parserProblem = bodyParserProblem(err);
  if (parserProblem) return parserProblem;
  return { status: 500, code: 'internal_error', message: 'An unexpected error occurred' };
}

/** Errors raised by express's body parsers (they carry `type` and `status`). */
function bodyParserProblem(err: unknown): Problem | undefined {
  const e = err as { type?: string; status?: number; limit?: number };
  switch (e?.type) {
    case 'entity.parse.failed':
      return { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, code: 'payload_too_large', message: `The request body exceeds the limit of ${e.limit ?? 'the configured'} bytes` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, code: 'unsupported_media_type', message: 'Unsupported body encoding or charset' };
    case 'request.aborted':
      return { status: 400, code: 'request_aborted', message: 'The request was aborted' };
    default:
      return typeof e?.status === 'number' && e.status >= 400 && e.status < 500
        ? { status: e.status, code: 'bad_request', message: 'The request could not be read' }
        : undefined;
  }
}
