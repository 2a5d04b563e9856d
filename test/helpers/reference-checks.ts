import type { ServiceRequest } from '@medplum/fhirtypes';

/** The statement that looks a write's reference targets up in other tenants. */
export const checksForeignTargets = (sql: string): boolean => sql.includes('LEFT JOIN LATERAL') && sql.includes('CROSS JOIN LATERAL');

/** An order whose one reference is to this Patient. */
export const orderFor = (patientId: string): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  subject: { reference: `Patient/${patientId}` },
});
