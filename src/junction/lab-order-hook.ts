import type { Patient, Practitioner, ServiceRequest } from '@medplum/fhirtypes';
import { referenceId } from '../../mappings/elements';
import { overridesOf } from '../../mappings/lab-order-overrides';
import { isLabOrder, panelOf } from '../../mappings/lab-orders';
import type { ServiceHooks, StoredWriteContext } from '../fhir/access';
import { fail, unprocessable } from '../problems/outcomes';
import { enqueueSubmission, type OutboxRow } from '../store/lab-outbox';
import { junctionPatientOf, LabOrderInputError, physicianOf } from './order-payload';
import type { JunctionPanels } from './panels';

/**
 * Lab orders however they are written — `/v1/lab-orders`, a FHIR create, a transaction entry:
 * a new ServiceRequest for a lab panel gets its Junction order body built and an outbox row
 * in the same transaction, so it is never lost and never placed twice; once committed, the
 * submitter is woken. What Junction would refuse is a 422 before anything is stored.
 */
export function labOrderHook(panels: JunctionPanels, wake: () => void): ServiceHooks {
  return {
    writesFor: (access, resource) => access.kind === 'create' && isLabOrder(resource),
    onStored: async (access, version, tx) => {
      if (access.kind !== 'create' || !isLabOrder(version.resource)) return;
      const sr = version.resource as ServiceRequest & { id: string };
      await enqueueSubmission(tx.db, tx.tenantId, sr.id, await orderPayloadOf(sr, tx, panels));
    },
    afterCommit: (access, versions) => {
      if (access.kind === 'create' && versions.some((v) => isLabOrder(v.resource))) wake();
    },
  };
}

async function orderPayloadOf(sr: ServiceRequest & { id: string }, tx: StoredWriteContext, panels: JunctionPanels): Promise<OutboxRow['payload']> {
  const labTestId = panels.get(panelOf(sr) ?? '');
  if (!labTestId) fail(unprocessable('The panel has no Junction lab test configured', 'ServiceRequest.code'));
  const patientId = referenceId(sr.subject, 'Patient');
  const [patient] = patientId ? await tx.readMany('Patient', [patientId]) : [];
  if (!patientId || !patient) fail(unprocessable('A lab order needs the Patient it is for, stored in this tenant', 'ServiceRequest.subject'));
  const requesterId = referenceId(sr.requester, 'Practitioner');
  const [requester] = requesterId ? await tx.readMany('Practitioner', [requesterId]) : [];
  try {
    const { details, address } = junctionPatientOf(overridesOf(sr), patient.resource as Patient);
    const physician = requester && physicianOf(requester.resource as Practitioner);
    const order = {
      order_set: { lab_test_ids: [labTestId] },
      patient_details: details,
      patient_address: address,
      ...(physician ? { physician } : {}),
      passthrough: sr.id,
    };
    return { clientUserId: junctionUserKey(tx.tenantId, patientId), order };
  } catch (err) {
    if (!(err instanceof LabOrderInputError)) throw err;
    return fail(unprocessable(`Junction needs more of the patient: ${err.message}`, 'ServiceRequest.subject'));
  }
}

/**
 * The Patient's `client_user_id` at Junction, one per Patient of a tenant. Patient ids are unique
 * only within a tenant (a client may choose them; an import keeps its data's), and Junction's
 * user ids within our whole team: two tenants' Patients of one id must not share a Junction user.
 * Neither part is PII, as Junction requires.
 */
export const junctionUserKey = (tenantId: string, patientId: string): string => `${tenantId}:${patientId}`;
