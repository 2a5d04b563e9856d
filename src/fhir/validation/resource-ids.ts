import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { isFhirId } from '../ids';
import { issue } from './profile-rules';

/**
 * The id of the resource and of each contained resource must be a FHIR id
 * (https://hl7.org/fhir/R4/datatypes.html#id): the rule a PUT applies to the URL holds for
 * `$validate` and for contained resources too.
 */
export function checkResourceIds(resource: Resource): OperationOutcomeIssue[] {
  const type = resource.resourceType;
  const contained = ((resource as { contained?: unknown[] }).contained ?? []).map((c, i) => ({
    id: (c as { id?: unknown })?.id,
    at: `${type}.contained[${i}].id`,
  }));
  return [{ id: resource.id, at: `${type}.id` }, ...contained]
    .filter(({ id }) => typeof id === 'string' && !isFhirId(id))
    .map(({ id, at }) => issue(at, `"${String(id).slice(0, 70)}" is not a valid FHIR id: 1 to 64 letters, digits, "-" and "."`, 'value'));
}
