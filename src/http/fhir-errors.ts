import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { isOperationOutcomeError } from '../fhir/outcomes';
import type { ErrorWriter } from './error-funnel';
import { FHIR_JSON } from './send-resource';

const ISSUE_CODE_BY_STATUS: Record<number, OperationOutcomeIssue['code']> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  406: 'not-supported',
  409: 'conflict',
  410: 'deleted',
  412: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  422: 'processing',
  429: 'throttled',
};

/** FHIR failures are OperationOutcomes. https://hl7.org/fhir/R4/http.html#2.21.0.8 */
export const writeFhirError: ErrorWriter = (problem, err, _req, res) => {
  const body: OperationOutcome = isOperationOutcomeError(err)
    ? err.outcome.resource
    : {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: ISSUE_CODE_BY_STATUS[problem.status] ?? 'exception',
            details: { text: problem.message },
            ...(problem.field ? { expression: [problem.field] } : {}),
          },
        ],
      };
  res.status(problem.status).type(FHIR_JSON).json(body);
};
