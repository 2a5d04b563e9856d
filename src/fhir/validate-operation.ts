import type { Parameters, Resource } from '@medplum/fhirtypes';
import { allOk, outcomeWithIssues } from '../problems/outcomes';
import { resourceBody } from './interactions';
import type { FhirHandler, FhirRequest } from './request';

/**
 * `POST [base]/[type]/$validate` — the write pipeline without the write. A valid resource
 * answers 200 "All OK" (with any warnings, such as an unknown profile claim); an invalid one the same 400/422 OperationOutcome a create would.
 * https://hl7.org/fhir/R4/operation-resource-validate.html
 */
export const validateOperation: FhirHandler = async (req, service) => {
  const warnings = await service.validate(resourceBody({ ...req, body: unwrapParameters(req) }));
  const outcome = outcomeWithIssues('ok', [...(allOk().resource.issue ?? []), ...warnings]);
  return { outcome, resource: outcome.resource };
};

/** The operation also takes a Parameters resource whose `resource` parameter is the subject. */
function unwrapParameters(req: FhirRequest): unknown {
  const body = req.body as Resource | undefined;
  if (body?.resourceType !== 'Parameters') return body;
  return (body as Parameters).parameter?.find((p) => p.name === 'resource')?.resource;
}
