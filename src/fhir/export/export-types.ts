import { badRequest, fail } from '../../problems/outcomes';
import { insufficientScope, ProblemError } from '../../problems/problem';
import type { FhirService } from '../service';
import { SUPPORTED_TYPES } from '../validation/definitions';
import { inPatientCompartment, PATIENT_COMPARTMENT } from './patient-compartment';

export type ExportLevel = 'system' | 'patient';

/**
 * The types an export covers. Named in `_type`: each must belong to the level (Patient level:
 * the Patient compartment, else 400) and be readable with the caller's scopes (else 403, as
 * any read the scopes do not grant). Not named: every type of the level the scopes let the
 * caller read (403 when that is none).
 */
export async function typesToExport(level: ExportLevel, requested: string[] | undefined, caller: FhirService): Promise<string[]> {
  const ofLevel: readonly string[] = level === 'patient' ? Object.keys(PATIENT_COMPARTMENT) : SUPPORTED_TYPES;
  if (requested) {
    const outside = requested.find((type) => level === 'patient' && !inPatientCompartment(type));
    if (outside) fail(badRequest(`_type: ${outside} is not in the Patient compartment; Patient/$export exports ${ofLevel.join(', ')}`, '_type'));
    await caller.permits(requested.map((resourceType) => ({ kind: 'export', resourceType })));
    return requested;
  }
  const readable: string[] = [];
  for (const type of ofLevel) if (await mayExport(caller, type)) readable.push(type);
  if (readable.length === 0) throw insufficientScope(`The credentials grant read on none of the types $export covers (${ofLevel.join(', ')})`);
  return readable;
}

async function mayExport(caller: FhirService, resourceType: string): Promise<boolean> {
  try {
    await caller.permits([{ kind: 'export', resourceType }]);
    return true;
  } catch (err) {
    if (err instanceof ProblemError && err.problem.kind === 'forbidden') return false;
    throw err;
  }
}
