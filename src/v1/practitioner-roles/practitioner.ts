import type { FhirService } from '../../fhir/service';
import { notFoundProblem } from '../../problems/problem';

/** 404 naming `practitionerId` unless it is a current (not deleted) Practitioner of the tenant. */
export async function requirePractitioner(service: FhirService, practitionerId: string): Promise<void> {
  const [found] = await service.readMany('Practitioner', [practitionerId]);
  if (!found) throw notFoundProblem(`practitionerId ${practitionerId.slice(0, 64)} does not name a Practitioner`, 'practitionerId');
}
