import type { ServiceRequest } from '@medplum/fhirtypes';
import { entity, practitionerOfPatient, reference } from './keys';
import { between, dateBetween, pick, type Random } from './random';
import { LAB_TESTS } from './vocabulary';

/** How many orders Patient `i` has: one or two. */
export const orderCountOf = (patient: number): number => (entity('Orders', patient).random() < 0.5 ? 1 : 2);

/**
 * Patient `i`'s laboratory orders from its Practitioner: LOINC tests, authored over 2018–2024,
 * mostly completed. A LOINC code is not one of our lab panels (mappings/lab-orders.ts
 * `isLabOrder`), so none of them is submitted to Junction.
 */
export function ordersOf(patient: number): Array<ServiceRequest & { id: string }> {
  return Array.from({ length: orderCountOf(patient) }, (_, k) => {
    const { id, random } = entity('ServiceRequest', `${patient}-${k}`);
    const test = pick(random, LAB_TESTS);
    return {
      resourceType: 'ServiceRequest',
      id,
      status: statusOf(random),
      intent: 'order',
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }] }],
      priority: random() < 0.9 ? 'routine' : 'urgent',
      code: { coding: [{ system: 'http://loinc.org', code: test.code, display: test.display }], text: test.display },
      subject: reference('Patient', patient),
      requester: reference('Practitioner', practitionerOfPatient(patient)),
      authoredOn: `${dateBetween(random, 2018, 2024)}T${twoDigits(between(random, 8, 17))}:${twoDigits(between(random, 0, 59))}:00Z`,
    };
  });
}

const twoDigits = (n: number): string => String(n).padStart(2, '0');

function statusOf(random: Random): ServiceRequest['status'] {
  const r = random();
  return r < 0.7 ? 'completed' : r < 0.95 ? 'active' : 'revoked';
}
