import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/**
 * The one place that knows which HTTP status each outcome stands for.
 * https://hl7.org/fhir/R4/operationoutcome.html
 */
export type OutcomeKind =
  | 'ok'
  | 'created'
  | 'accepted'
  | 'noContent'
  | 'badRequest'
  | 'notFound'
  | 'gone'
  | 'conflict'
  | 'preconditionFailed'
  | 'unprocessable'
  | 'notAcceptable'
  | 'payloadTooLarge'
  | 'unsupportedMediaType'
  | 'tooManyRequests'
  | 'unauthorized'
  | 'forbidden'
  | 'methodNotAllowed'
  | 'badGateway'
  | 'unavailable'
  | 'timedOut'
  | 'serverError';

const STATUS: Record<OutcomeKind, number> = {
  ok: 200,
  created: 201,
  accepted: 202,
  noContent: 204,
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  notAcceptable: 406,
  conflict: 409,
  gone: 410,
  preconditionFailed: 412,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  unprocessable: 422,
  tooManyRequests: 429,
  serverError: 500,
  badGateway: 502,
  unavailable: 503,
  timedOut: 503,
};

const ISSUE_CODE: Record<OutcomeKind, OperationOutcomeIssue['code']> = {
  ok: 'informational',
  created: 'informational',
  accepted: 'informational',
  noContent: 'informational',
  badRequest: 'invalid',
  unauthorized: 'login',
  forbidden: 'forbidden',
  notFound: 'not-found',
  methodNotAllowed: 'not-supported',
  notAcceptable: 'not-supported',
  conflict: 'conflict',
  gone: 'deleted',
  preconditionFailed: 'conflict',
  payloadTooLarge: 'too-costly',
  unsupportedMediaType: 'not-supported',
  unprocessable: 'processing',
  tooManyRequests: 'throttled',
  serverError: 'exception',
  badGateway: 'transient',
  unavailable: 'transient',
  timedOut: 'timeout',
};

/** An OperationOutcome tagged with the kind that decides its HTTP status. */
export interface Outcome {
  kind: OutcomeKind;
  resource: OperationOutcome;
}

export function outcome(kind: OutcomeKind, text: string, expression?: string | string[]): Outcome {
  const severity = STATUS[kind] < 400 ? 'information' : 'error';
  const issue: OperationOutcomeIssue = { severity, code: ISSUE_CODE[kind], details: { text } };
  if (expression !== undefined) issue.expression = Array.isArray(expression) ? expression : [expression];
  return { kind, resource: { resourceType: 'OperationOutcome', issue: [issue] } };
}

/** Several issues under one status, e.g. every failed validation rule at once. */
export function outcomeWithIssues(kind: OutcomeKind, issues: OperationOutcomeIssue[]): Outcome {
  return { kind, resource: { resourceType: 'OperationOutcome', issue: issues } };
}

export const allOk = (text = 'All OK'): Outcome => outcome('ok', text);
export const created = (text = 'Created'): Outcome => outcome('created', text);
export const badRequest = (text: string, expression?: string | string[]): Outcome => outcome('badRequest', text, expression);
export const notFound = (text = 'Not found'): Outcome => outcome('notFound', text);
export const gone = (text = 'Deleted'): Outcome => outcome('gone', text);
export const conflict = (text: string, expression?: string): Outcome => outcome('conflict', text, expression);
export const preconditionFailed = (text: string): Outcome => outcome('preconditionFailed', text);
export const unprocessable = (text: string, expression?: string | string[]): Outcome => outcome('unprocessable', text, expression);

/** The OperationOutcome issue code of a kind. https://hl7.org/fhir/R4/valueset-issue-type.html */
export function issueCodeOf(kind: OutcomeKind): OperationOutcomeIssue['code'] {
  return ISSUE_CODE[kind];
}

export function statusOf(o: Outcome | OutcomeKind): number {
  return STATUS[typeof o === 'string' ? o : o.kind];
}

/** Thrown anywhere below the HTTP layer; the error funnel turns it into a response. */
export class OperationOutcomeError extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.resource.issue?.[0]?.details?.text ?? outcome.kind);
    this.name = 'OperationOutcomeError';
  }
}

/** An outcome about one resource of a batch write, named by `reference` (`Patient/123`) so the caller can say which. */
export class ResourceOutcomeError extends OperationOutcomeError {
  constructor(
    outcome: Outcome,
    readonly reference: string,
  ) {
    super(outcome);
  }
}

export function fail(o: Outcome): never {
  throw new OperationOutcomeError(o);
}

export function isOperationOutcomeError(err: unknown): err is OperationOutcomeError {
  return err instanceof OperationOutcomeError;
}

/** A business-key clash (409); `key` names the rule so each API family can word it. */
export function duplicate(text: string, key: string): Outcome {
  return outcomeWithIssues('conflict', [{ severity: 'error', code: 'duplicate', details: { text, coding: [{ code: key }] } }]);
}

/** The rule a duplicate outcome names, if it is one. */
export function duplicateKeyOf(o: Outcome): string | undefined {
  const issue = o.resource.issue?.[0];
  return issue?.code === 'duplicate' ? issue.details?.coding?.[0]?.code : undefined;
}
