import { fromFhir, isLabOrder, markSubmissionFailed, toFhir, withJunctionOrder } from './lab-orders';
import { overridesOf, withOverrides } from './lab-order-overrides';

const body = { brand_id: 'b1', patient_id: '0f5e3d4c-1b2a-4c3d-8e9f-001122334455', panel_id: 'pcos' as const };
const created = { createdAt: '2026-01-01T00:00:00.000Z' };

test('a request maps to a lab panel ServiceRequest and back, pending until Junction has it', () => {
  const sr = { ...toFhir(body, { requester: 'p1' }), id: 'sr1' };
  expect(sr).toMatchObject({
    intent: 'order',
    status: 'active',
    subject: { reference: `Patient/${body.patient_id}` },
    requester: { reference: 'Practitioner/p1' },
  });
  expect(isLabOrder(sr)).toBe(true);
  expect(fromFhir(sr, created)).toEqual({ id: 'sr1', ...body, junction_order_id: '', status: 'pending', created_at: created.createdAt, completed_at: null });
});

test('Junction statuses move the FHIR status and completed_at; the order id is set once', () => {
  const sr = { ...toFhir(body), id: 'sr1' };
  const received = withJunctionOrder(sr, 'j1', 'received.walk_in_test.ordered');
  expect(fromFhir(received, created)).toMatchObject({ junction_order_id: 'j1', status: 'received', completed_at: null });
  const done = withJunctionOrder(received, 'j1', 'completed.walk_in_test.completed', '2026-02-01T00:00:00Z');
  expect(done.status).toBe('completed');
  expect(done.identifier).toHaveLength(1);
  expect(fromFhir(done, created)).toMatchObject({ status: 'completed', completed_at: '2026-02-01T00:00:00Z' });
  expect(withJunctionOrder(received, 'j1', 'cancelled.walk_in_test.cancelled').status).toBe('revoked');
  expect(fromFhir(markSubmissionFailed(sr), created).status).toBe('submission_failed');
});

test('patient and address overrides survive on the ServiceRequest as a referenced contained Patient', () => {
  const overrides = {
    patient: { first_name: 'Ada', last_name: 'Lovelace', dob: '1985-12-10', email: 'ada@example.com' },
    address: { line1: '1 Main St', line2: 'Apt 2', city: 'Phoenix', state: 'AZ', zip: '85004', country: 'US' },
  };
  const sr = withOverrides(toFhir(body), overrides);
  expect(sr.supportingInfo).toEqual([{ reference: '#order-demographics' }]);
  expect(overridesOf(sr)).toEqual(overrides);
  expect(overridesOf(toFhir(body))).toEqual({});
  expect(isLabOrder({ resourceType: 'ServiceRequest', status: 'active', intent: 'plan', subject: {} } as never)).toBe(false);
});
