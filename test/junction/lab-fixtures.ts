import { randomUUID } from 'node:crypto';
import type { Patient, ServiceRequest } from '@medplum/fhirtypes';
import { FHIR_BASE, type TestApp } from '../helpers/test-app';

/** A Patient Junction can take an order for: name, birth date, phone, email, a US address. */
export function orderablePatient(overrides: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    name: [{ given: ['Ada'], family: 'Lovelace' }],
    birthDate: '1985-12-10',
    gender: 'female',
    telecom: [
      { system: 'phone', value: '+16025550100' },
      { system: 'email', value: `ada.${randomUUID()}@example.com` },
    ],
    address: [{ line: ['256 West Lincoln Street'], city: 'Phoenix', state: 'AZ', postalCode: '85004', country: 'US' }],
    ...overrides,
  };
}

/** Stores an orderable Patient; its id. */
export async function createPatient(t: TestApp, overrides: Partial<Patient> = {}): Promise<string> {
  const res = await t.http.post(`${FHIR_BASE}/Patient`).send(orderablePatient(overrides));
  if (res.status !== 201) throw new Error(`Patient answered ${res.status}`);
  return res.body.id as string;
}

/** A lab panel ServiceRequest as a FHIR client writes it. */
export function labServiceRequest(subject: string, panel = 'fertility'): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    code: { coding: [{ system: 'https://fhir-facade.dev/fhir/CodeSystem/lab-panel', code: panel }] },
    subject: { reference: subject },
  };
}

/** Reads until `done` holds or `ms` pass; the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
