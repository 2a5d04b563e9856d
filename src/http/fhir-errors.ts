import type { OperationOutcome } from '@medplum/fhirtypes';
import { isOperationOutcomeError, issueCodeOf } from '../problems/outcomes';
import type { ErrorWriter } from './error-funnel';
import { FHIR_JSON } from './send-resource';

/** FHIR failures are OperationOutcomes. https://hl7.org/fhir/R4/http.html#2.21.0.8 */
export const writeFhirError: ErrorWriter = (problem, err, _req, res) => {
  const body: OperationOutcome = isOperationOutcomeError(err)
    ? err.outcome.resource
    : {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: issueCodeOf(problem.kind),
            details: { text: problem.message },
            ...(problem.field ? { expression: [problem.field] } : {}),
          },
        ],
      };
  res.status(problem.status).type(FHIR_JSON).json(body);
};
