import fc from 'fast-check';
import { US_STATE_CODES } from '../../mappings/physicians';

/*
 * Valid /v1 request bodies, from the documented request schemas (../shared/seeds, mirrored in
 * mappings/schemas/*.request.json) and their prose rules. The mutations (mutations.ts) break them.
 */

/** Text every family stores (FHIR strings: some non-space), odd but valid Unicode included. */
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Z][a-z]{1,10}( [A-Z][a-z]{1,8})?$/) },
  fc.constantFrom('Zoë', 'e\u0301', '😀', '李', 'שלום', '\u202eevil', 'a\u200db', "O'Neil-Smith"),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => /\S/.test(s) && /^[ \r\n\t\S]+$/.test(s)),
);
const email = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.uuid()).map(([local, u]) => `${local}.${u.slice(0, 8)}@example.com`);
const date = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2024-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);

/** POST /v1/patients (seed 002). A brand of its own per body, so the brand-scoped unique keys never clash. */
export const patientBody = fc.record(
  {
    brand_id: fc.uuid().map((u) => `brand-${u}`),
    first_name: text,
    last_name: text,
    date_of_birth: date,
    gender: fc.oneof(fc.constantFrom('male', 'female', 'other', 'unknown', 'Male', ' FEMALE ', 'non-binary'), text),
    email,
    phone: fc.oneof(fc.constantFrom('+16025550100', '(602) 555-0100'), text),
    external_ids: fc.dictionary(key, text, { maxKeys: 3 }),
    metadata: fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  },
  { requiredKeys: ['brand_id', 'first_name', 'last_name'] },
);

/** A 10-digit NPI with a valid Luhn check digit over the `80840` prefix. */
export const npi = fc.stringMatching(/^[0-9]{9}$/).map((digits) => {
  const payload = `80840${digits}`;
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const digit = Number(payload[payload.length - 1 - i]);
    const doubled = i % 2 === 0 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return `${digits}${(10 - (sum % 10)) % 10}`;
});

/** POST /v1/physicians (seed 000). */
export const physicianBody = fc.record(
  {
    name: text,
    email,
    npi,
    license_state: fc.constantFrom(...US_STATE_CODES),
    state_license: fc.stringMatching(/^[A-Z0-9-]{1,12}$/),
    clep_permit_number: fc.stringMatching(/^[A-Z0-9-]{1,12}$/),
  },
  { requiredKeys: ['name', 'email', 'npi', 'license_state', 'state_license'] },
);

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** POST /v1/practitioner-roles (seed 003) for this practitioner: a window that starts before it ends, each day once. */
export const roleBody = (practitionerId: string) =>
  fc
    .tuple(
      fc.record(
        {
          role: fc.constantFrom('doctor', 'nurse', 'pharmacist', 'admin', 'consultant'),
          organizationName: text,
          specialty: fc.array(text, { maxLength: 3 }),
          locationName: text,
          phone: text,
          email,
          availableDays: fc.uniqueArray(fc.constantFrom(...DAYS), { maxLength: 7 }),
        },
        { requiredKeys: ['role'] },
      ),
      fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 24 * 60 - 1 }), { minLength: 2, maxLength: 2 }), { freq: 2 }),
    )
    .map(([body, window]) => {
      const times = window ? [...window].sort((a, b) => a - b).map(hhmm) : [];
      return { practitionerId, ...body, ...(times.length === 2 ? { availableStartTime: times[0], availableEndTime: times[1] } : {}) };
    });

const asciiName = fc.stringMatching(/^[A-Z][a-z]{1,10}$/);

/** POST /v1/lab-orders (seed 001) for this stored patient, with demographics Junction takes. */
export const labOrderBody = (patientId: string) =>
  fc
    .record(
      {
        brand_id: text,
        panel_id: fc.constantFrom('hashimotos', 'pcos', 'fertility'),
        patient: fc.record({ first_name: asciiName, last_name: asciiName, dob: date, email }),
        address: fc.record(
          {
            line1: fc.constantFrom('256 West Lincoln Street', '1 Main St'),
            line2: fc.constant('Apt 2'),
            city: asciiName,
            state: fc.constant('AZ'),
            zip: fc.constantFrom('85004', '85004-1234'),
            country: fc.constantFrom('US', 'USA'),
          },
          { requiredKeys: ['line1', 'city', 'state', 'zip', 'country'] },
        ),
      },
      { requiredKeys: ['brand_id', 'panel_id'] },
    )
    .map((body) => ({ patient_id: patientId, ...body }));
