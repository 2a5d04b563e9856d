import type { Resource, ServiceRequest } from '@medplum/fhirtypes';
import { identifierValue, referenceId, resourceId } from './elements';
import { extensionString, stringExtension } from './extensions';
import { EXT, PROFILE, SYSTEM } from './fhir-urls';
import type { Created, LabPanel, V1LabOrder, V1LabOrderRequest } from './types';

const LABORATORY = { system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' };
/** The displays of fhir-profiles/CodeSystem-lab-panel.json (a test keeps them equal). */
const PANEL_DISPLAY: Record<LabPanel, string> = { hashimotos: "Hashimoto's panel", pcos: 'PCOS panel', fertility: 'Fertility panel' };
/** What `status` shows before Junction has said anything of the order. */
export const PENDING = 'pending';
/** The order could not be placed after every attempt: an operator must look. */
export const SUBMISSION_FAILED = 'submission_failed';

/** A lab panel order: `intent=order`, laboratory, the panel, the patient, the brand; `requester` when a physician orders it. */
export function toFhir(body: V1LabOrderRequest, ctx: { requester?: string } = {}): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    meta: { profile: [PROFILE.labOrder] },
    extension: stringExtension(EXT.brandId, body.brand_id),
    status: 'active',
    intent: 'order',
    category: [{ coding: [LABORATORY] }],
    code: { coding: [{ system: SYSTEM.labPanel, code: body.panel_id, display: PANEL_DISPLAY[body.panel_id] }] },
    subject: { reference: `Patient/${body.patient_id}` },
    ...(ctx.requester ? { requester: { reference: `Practitioner/${ctx.requester}` } } : {}),
  };
}

/** Seed 001's answer: `status` is Junction's high-level status (`received` … `completed`), `pending` before it has one. */
export function fromFhir(sr: ServiceRequest, created: Created): V1LabOrder {
  const detailed = extensionString(sr, EXT.labOrderStatus);
  return {
    id: resourceId(sr),
    brand_id: extensionString(sr, EXT.brandId) ?? '',
    patient_id: referenceId(sr.subject, 'Patient') ?? '',
    junction_order_id: identifierValue(sr.identifier, SYSTEM.junctionOrderId) ?? '',
    panel_id: panelOf(sr) ?? '',
    status: detailed === null ? PENDING : highLevelStatus(detailed),
    created_at: created.createdAt,
    completed_at: extensionString(sr, EXT.labOrderCompletedAt),
  };
}

/** A ServiceRequest for one of our lab panels: what places a Junction order when created. */
export function isLabOrder(resource: Resource): resource is ServiceRequest {
  return resource.resourceType === 'ServiceRequest' && resource.intent === 'order' && panelOf(resource) !== undefined;
}

export function panelOf(sr: ServiceRequest): string | undefined {
  return sr.code?.coding?.find((c) => c.system === SYSTEM.labPanel)?.code;
}

/** Junction's detailed status as recorded on the order, if any. */
export function junctionStatusOf(sr: ServiceRequest): string | undefined {
  return extensionString(sr, EXT.labOrderStatus) ?? undefined;
}

/** `received.walk_in_test.ordered` → `received`: Junction's high-level status, what /v1 shows. */
export function highLevelStatus(junctionStatus: string): string {
  return junctionStatus.split('.')[0] ?? junctionStatus;
}

/** The ServiceRequest status that follows Junction's: completed, revoked when cancelled or failed, else active. */
export function fhirStatusFor(junctionStatus: string): 'active' | 'completed' | 'revoked' {
  const high = highLevelStatus(junctionStatus);
  if (high === 'completed') return 'completed';
  return high === 'cancelled' || high === 'failed' ? 'revoked' : 'active';
}

/**
 * The order as Junction now sees it: its order id (set once), the detailed status, the FHIR
 * status that follows from it and, while completed, when. A correction
 * (`completed.*.corrected`) reported without a time keeps the first completion time.
 */
export function withJunctionOrder(sr: ServiceRequest, junctionOrderId: string, status: string, completedAt?: string): ServiceRequest {
  const identifier = identifierValue(sr.identifier, SYSTEM.junctionOrderId)
    ? sr.identifier
    : [...(sr.identifier ?? []), { system: SYSTEM.junctionOrderId, value: junctionOrderId }];
  const fhirStatus = fhirStatusFor(status);
  const completed = fhirStatus === 'completed' ? (completedAt ?? extensionString(sr, EXT.labOrderCompletedAt) ?? undefined) : undefined;
  const extension = [
    ...(sr.extension ?? []).filter((e) => e.url !== EXT.labOrderStatus && e.url !== EXT.labOrderCompletedAt),
    ...stringExtension(EXT.labOrderStatus, status),
    ...(completed ? [{ url: EXT.labOrderCompletedAt, valueDateTime: completed }] : []),
  ];
  return { ...sr, identifier, extension, status: fhirStatus };
}

/** The order could not be placed: shown on the order, for the operator and the client. */
export function markSubmissionFailed(sr: ServiceRequest): ServiceRequest {
  return { ...sr, extension: [...(sr.extension ?? []).filter((e) => e.url !== EXT.labOrderStatus), ...stringExtension(EXT.labOrderStatus, SUBMISSION_FAILED)] };
}
