import { randomUUID } from 'node:crypto';
import type { CollectionMethod, JunctionOrder, JunctionOrderRequest, JunctionPatientAddress } from '../gateway';
import { parseOrderStatus } from '../status';
import type { SandboxLabTest } from './lab-tests';

/** A `ClientFacingOrder` as the sandbox keeps it: the fields Junction documents, unfilled ones null. */
export interface SandboxOrder extends JunctionOrder {
  patient_details: { dob: string; gender: string };
  patient_address: JunctionPatientAddress;
  lab_test: SandboxLabTest;
  details: { type: CollectionMethod; data: { id: string; appointment_id: null; created_at: string; updated_at: string } };
  order_transaction: {
    id: string;
    status: string;
    orders: { id: string; origin: 'initial'; low_level_status: string; created_at: string; updated_at: string }[];
  };
  notes: null;
  clinical_notes: null;
  priority: boolean;
  billing_type: 'client_bill';
  icd_codes: null;
  activate_by: null;
  health_insurance_id: null;
  shipping_details: null;
  has_abn: boolean;
  interpretation: string | null;
  has_missing_results: boolean;
  expected_result_by_date: null;
  worst_case_result_by_date: null;
  origin: 'initial';
}

export interface NewOrder {
  request: JunctionOrderRequest;
  teamId: string;
  labTest: SandboxLabTest;
  eventId: number;
  now: string;
}

/** A new order is `received.<modality>.ordered`, in an active transaction of its own. */
export function buildOrder({ request, teamId, labTest, eventId, now }: NewOrder): SandboxOrder {
  const id = randomUUID();
  const modality = request.collection_method ?? labTest.method;
  const event = { id: eventId, created_at: now, status: `received.${modality}.ordered`, status_detail: null };
  const physician = request.physician;
  return {
    id,
    team_id: teamId,
    user_id: request.user_id,
    patient_details: { dob: request.patient_details.dob, gender: request.patient_details.gender },
    patient_address: request.patient_address,
    lab_test: labTest,
    details: { type: modality, data: { id: randomUUID(), appointment_id: null, created_at: now, updated_at: now } },
    sample_id: null,
    notes: null,
    clinical_notes: null,
    status: 'received',
    events: [event],
    last_event: event,
    physician: physician ? { first_name: physician.first_name, last_name: physician.last_name, npi: physician.npi } : null,
    priority: false,
    billing_type: 'client_bill',
    icd_codes: null,
    activate_by: null,
    passthrough: request.passthrough ?? null,
    health_insurance_id: null,
    shipping_details: null,
    has_abn: false,
    interpretation: null,
    has_missing_results: false,
    expected_result_by_date: null,
    worst_case_result_by_date: null,
    origin: 'initial',
    order_transaction: {
      id: randomUUID(),
      status: 'active',
      orders: [{ id, origin: 'initial', low_level_status: 'ordered', created_at: now, updated_at: now }],
    },
    created_at: now,
    updated_at: now,
  };
}

const TRANSACTION_STATUS: ReadonlyMap<string, string> = new Map([
  ['completed', 'completed'],
  ['cancelled', 'cancelled'],
]);

/** Records one status change as Junction shows it: a new event, the high level on top, the transaction. */
export function applyStatus(order: SandboxOrder, status: string, eventId: number, now: string): void {
  const parsed = parseOrderStatus(status);
  if (!parsed) throw new Error('applyStatus needs a <high>.<modality>.<low> status');
  const event = { id: eventId, created_at: now, status, status_detail: null };
  order.events.push(event);
  order.last_event = event;
  order.status = parsed.high;
  order.updated_at = now;
  if ((parsed.high === 'sample_with_lab' || parsed.high === 'completed') && order.sample_id === null) order.sample_id = `SBX${eventId}`;
  const transaction = order.order_transaction;
  transaction.status = TRANSACTION_STATUS.get(parsed.high) ?? transaction.status;
  for (const member of transaction.orders.filter((o) => o.id === order.id)) {
    member.low_level_status = parsed.low;
    member.updated_at = now;
  }
}
