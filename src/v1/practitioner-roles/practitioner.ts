import type { FhirService } from '../../fhir/service';
import { ProblemError } from '../../http/problem';

/** 404 naming `practitionerId` unless it is a current (not deleted) Practitioner of the tenant. */
export async function requirePractitioner(service: FhirService, practitionerId: string): Promise<void> {
  const [found] = await service.repo.readMany('Practitioner', [practitionerId]);
  if (found) return;
  throw new ProblemError({
    status: 404,
    code: 'not_found',
    message: `practitionerId ${practitionerId.slice(0, 64)} does not name a Practitioner`,
    field: 'practitionerId',
  });
}
