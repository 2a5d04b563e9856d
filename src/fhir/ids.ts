import { badRequest, fail } from '../problems/outcomes';

/** https://hl7.org/fhir/R4/datatypes.html#id */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function isFhirId(id: string): boolean {
  return FHIR_ID.test(id);
}

/** 400 for an id no resource can have (also keeps NUL bytes and the like away from SQL). */
export function assertValidId(id: string): string {
  if (!isFhirId(id)) fail(badRequest(`"${id.slice(0, 70)}" is not a valid FHIR id`, 'id'));
  return id;
}
