import { isSupportedType } from '../validation/definitions';
import { badRequest, fail, preconditionFailed } from '../../problems/outcomes';
import { findMatches } from '../search/match';
import type { FhirService } from '../service';

const CONDITIONAL_REFERENCE = /^([A-Za-z]+)\?(.*)$/s;

/** `Patient?identifier=http://x|123` — https://hl7.org/fhir/R4/http.html#trules */
export function isConditionalReference(reference: string): boolean {
  return CONDITIONAL_REFERENCE.test(reference);
}

/** The `Type/id` of the one resource a conditional reference matches; 412 unless exactly one does. */
export async function resolveConditionalReference(service: FhirService, reference: string): Promise<string> {
  const [, type = '', criteria = ''] = CONDITIONAL_REFERENCE.exec(reference) ?? [];
  const shown = reference.slice(0, 200);
  if (!isSupportedType(type)) fail(badRequest(`Conditional reference ${shown} names a resource type this server does not store`));
  const matches = await findMatches(service, type, criteria, 2);
  const [only] = matches;
  if (!only || matches.length > 1) {
    fail(preconditionFailed(`Conditional reference ${shown} matches ${only ? 'more than one resource' : 'no resource'}; exactly one is required`));
  }
  return `${type}/${only.resource.id}`;
}
