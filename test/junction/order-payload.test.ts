import type { Patient, Practitioner } from '@medplum/fhirtypes';
import nyPhysician from '../../mappings/fixtures/physicians/ny-with-clep.fhir.json';
import { toFhir as physicianToFhir } from '../../mappings/physicians';
import { toFhir as patientToFhir } from '../../mappings/patients';
import type { V1LabOrderRequest } from '../../mappings/types';
import { junctionPatientOf, LabOrderInputError, physicianOf } from '../../src/junction/order-payload';

const record: Patient = {
  resourceType: 'Patient',
  name: [{ use: 'official', given: ['Ada'], family: 'Lovelace' }],
  birthDate: '1985-12-10',
  gender: 'female',
  telecom: [
    { system: 'phone', value: '+16025550100' },
    { system: 'email', value: 'ada@example.com' },
  ],
  address: [{ line: ['256 West Lincoln Street', 'Suite 4'], city: 'Phoenix', state: 'AZ', postalCode: '85004', country: 'US' }],
};

const body: V1LabOrderRequest = { brand_id: 'b', patient_id: '3f2b8c1d-6e4a-4b9f-8d2c-1a7e5f9b0c3d', panel_id: 'pcos' };
const sentPatient = { first_name: 'Grace', last_name: "O'Hopper-Smith", dob: '1990-02-28', email: 'grace@example.com' };
const sentAddress = { line1: '1 Main St', city: 'Albany', state: 'NY', zip: '12207-1234', country: 'USA' };

/** The LabOrderInputError `build` throws; fails the test when it throws nothing or something else. */
function inputError(build: () => unknown): LabOrderInputError {
  try {
    build();
  } catch (err) {
    if (err instanceof LabOrderInputError) return err;
    throw err;
  }
  throw new Error('expected a LabOrderInputError');
}

describe('junctionPatientOf', () => {
  test("without overrides, Junction gets the stored Patient's demographics", () => {
    expect(junctionPatientOf(body, record)).toEqual({
      details: { first_name: 'Ada', last_name: 'Lovelace', dob: '1985-12-10', gender: 'female', phone_number: '+16025550100', email: 'ada@example.com' },
      address: { first_line: '256 West Lincoln Street', second_line: 'Suite 4', city: 'Phoenix', state: 'AZ', zip: '85004', country: 'US' },
    });
  });

  test('a patient made by POST /v1/patients can be ordered for once it has a phone and an address', () => {
    const patient = patientToFhir({
      brand_id: 'b',
      first_name: 'Mary Ann',
      last_name: 'de la Cruz',
      date_of_birth: '1979-07-04',
      gender: 'Non-binary',
      email: 'm@example.com',
      phone: '+15185550100',
    });
    expect(junctionPatientOf({ ...body, address: sentAddress }, patient).details).toEqual({
      first_name: 'Mary Ann',
      last_name: 'de la Cruz',
      dob: '1979-07-04',
      gender: 'unknown',
      phone_number: '+15185550100',
      email: 'm@example.com',
    });
  });

  test("the request's patient and address win, each as a whole; the phone and gender stay the record's", () => {
    const { details, address } = junctionPatientOf({ ...body, patient: sentPatient, address: sentAddress }, record);
    expect(details).toEqual({
      first_name: 'Grace',
      last_name: "O'Hopper-Smith",
      dob: '1990-02-28',
      gender: 'female',
      phone_number: '+16025550100',
      email: 'grace@example.com',
    });
    expect(address).toEqual({ first_line: '1 Main St', city: 'Albany', state: 'NY', zip: '12207-1234', country: 'US' });
  });

  test('given names written through FHIR join into the first name; the official name is preferred', () => {
    const patient = {
      ...record,
      name: [
        { given: ['Nick'], family: 'Name' },
        { use: 'official' as const, given: ['Mary', 'Ann'], family: 'Lee' },
      ],
    };
    expect(junctionPatientOf(body, patient).details).toMatchObject({ first_name: 'Mary Ann', last_name: 'Lee' });
  });

  test.each([
    ['male', 'male'],
    ['other', 'other'],
    ['unknown', 'unknown'],
    [undefined, 'unknown'],
  ] as const)('FHIR gender %s is sent as %s', (gender, sent) => {
    expect(junctionPatientOf(body, { ...record, gender }).details.gender).toBe(sent);
  });

  test.each(['US', 'us', 'USA', 'United States', 'united states of america'])('country %s is sent as US', (country) => {
    expect(junctionPatientOf({ ...body, address: { ...sentAddress, country } }, record).address.country).toBe('US');
  });

  test('a stored address without a country is taken as US; a lowercase state is upper-cased', () => {
    const patient = { ...record, address: [{ line: ['1 Main St'], city: 'Phoenix', state: 'az', postalCode: '85004' }] };
    expect(junctionPatientOf(body, patient).address).toEqual({ first_line: '1 Main St', city: 'Phoenix', state: 'AZ', zip: '85004', country: 'US' });
  });

  test('surrounding spaces are trimmed rather than refused', () => {
    const { details, address } = junctionPatientOf(
      { ...body, patient: { ...sentPatient, first_name: ' Grace ' }, address: { ...sentAddress, zip: '12207 ' } },
      record,
    );
    expect([details.first_name, address.zip]).toEqual(['Grace', '12207']);
  });

  describe('what Junction would refuse in the request names the /v1 field', () => {
    test.each([
      ['patient.first_name', { patient: { ...sentPatient, first_name: 'Zoë' } }],
      ['patient.first_name', { patient: { ...sentPatient, first_name: 'Ann  Marie' } }],
      ['patient.last_name', { patient: { ...sentPatient, last_name: '-Smith' } }],
      ['patient.last_name', { patient: { ...sentPatient, last_name: '   ' } }],
      ['patient.dob', { patient: { ...sentPatient, dob: '02/28/1990' } }],
      ['patient.dob', { patient: { ...sentPatient, dob: '1990-02-30' } }],
      ['patient.email', { patient: { ...sentPatient, email: 'grace@localhost' } }],
      ['address.line1', { address: { ...sentAddress, line1: ' ' } }],
      ['address.state', { address: { ...sentAddress, state: 'New York' } }],
      ['address.state', { address: { ...sentAddress, state: 'AE' } }],
      ['address.zip', { address: { ...sentAddress, zip: '1220' } }],
      ['address.zip', { address: { ...sentAddress, zip: '12207-12' } }],
      ['address.country', { address: { ...sentAddress, country: 'Canada' } }],
    ])('%s', (field, overrides) => {
      const err = inputError(() => junctionPatientOf({ ...body, ...overrides }, record));
      expect(err.field).toBe(field);
      expect(err.message).toContain(field);
    });
  });

  describe('what the stored Patient lacks or Junction would refuse names patient_id and says what to send', () => {
    test.each([
      ['first name', 'patient.first_name', { name: [{ family: 'Lovelace' }] }],
      ['last name', 'patient.last_name', { name: [{ given: ['Ada'] }] }],
      ['birth date', 'patient.dob', { birthDate: undefined }],
      ['email', 'patient.email', { telecom: [{ system: 'phone' as const, value: '+16025550100' }] }],
      ['address', 'address.line1', { address: undefined }],
      ['address city', 'address.city', { address: [{ line: ['1 Main St'], state: 'AZ', postalCode: '85004' }] }],
      ['postal code', 'address.zip', { address: [{ line: ['1 Main St'], city: 'Phoenix', state: 'AZ', postalCode: '8500' }] }],
      ['address state', 'address.state', { address: [{ line: ['1 Main St'], city: 'Phoenix', state: 'Arizona', postalCode: '85004' }] }],
      ['address country', 'address.country', { address: [{ line: ['1 Main St'], city: 'Phoenix', state: 'AZ', postalCode: '85004', country: 'CA' }] }],
      ['first name', 'patient.first_name', { name: [{ given: ['José'], family: 'Núñez' }] }],
    ])('its %s: send %s', (label, sendField, change) => {
      const err = inputError(() => junctionPatientOf(body, { ...record, ...change }));
      expect(err.field).toBe('patient_id');
      expect(err.message).toContain(label);
      expect(err.message).toContain(sendField);
    });

    test('a missing phone cannot be sent in the request: the Patient needs one', () => {
      for (const overrides of [{}, { patient: sentPatient, address: sentAddress }]) {
        const err = inputError(() => junctionPatientOf({ ...body, ...overrides }, { ...record, telecom: [{ system: 'email', value: 'ada@example.com' }] }));
        expect(err.field).toBe('patient_id');
        expect(err.message).toMatch(/patient record \(patient_id\) has no phone number.*add one to the Patient/);
      }
    });

    test('an override of one object does not excuse the other: a stored address is still checked', () => {
      const err = inputError(() => junctionPatientOf({ ...body, patient: sentPatient }, { ...record, address: undefined }));
      expect(err.field).toBe('patient_id');
    });
  });

  test('messages never quote the values (PHI)', () => {
    const values = ['Zoë', 'Núñez', '1990-02-30', 'grace@localhost', 'Atlantis', '9999', 'Canada', 'Springfield Av'];
    const errors = [
      inputError(() => junctionPatientOf({ ...body, patient: { ...sentPatient, first_name: 'Zoë' } }, record)),
      inputError(() => junctionPatientOf(body, { ...record, name: [{ given: ['Ada'], family: 'Núñez' }] })),
      inputError(() => junctionPatientOf({ ...body, patient: { ...sentPatient, dob: '1990-02-30' } }, record)),
      inputError(() => junctionPatientOf({ ...body, patient: { ...sentPatient, email: 'grace@localhost' } }, record)),
      inputError(() => junctionPatientOf({ ...body, address: { ...sentAddress, state: 'Atlantis' } }, record)),
      inputError(() => junctionPatientOf({ ...body, address: { ...sentAddress, zip: '9999' } }, record)),
      inputError(() => junctionPatientOf({ ...body, address: { ...sentAddress, country: 'Canada' } }, record)),
      inputError(() => junctionPatientOf(body, { ...record, address: [{ line: ['Springfield Av'], city: 'Springfield', state: 'XX', postalCode: '12345' }] })),
    ];
    for (const err of errors) for (const value of values) expect(err.message).not.toContain(value);
  });
});

describe('physicianOf', () => {
  test('a /v1 physician is sent with its name, NPI and licence states', () => {
    expect(physicianOf(nyPhysician as Practitioner)).toEqual({ first_name: 'Sarah', last_name: 'Johnson', npi: '1234567893', licensed_states: ['NY'] });
  });

  test('licence states of several qualifications are listed once each', () => {
    const az = physicianToFhir({ name: 'Sarah Johnson', email: 's@example.com', npi: '1234567893', license_state: 'AZ', state_license: 'A1' });
    const practitioner = {
      ...az,
      qualification: [...(az.qualification ?? []), ...(az.qualification ?? []), ...((nyPhysician as Practitioner).qualification ?? [])],
    };
    expect(physicianOf(practitioner)?.licensed_states).toEqual(['AZ', 'NY']);
  });

  test.each([
    ['no NPI', { identifier: [] }],
    ['no family name', { name: [{ given: ['Sarah'] }] }],
    ['no given name', { name: [{ family: 'Johnson' }] }],
    ["a name Junction's rule refuses", { name: [{ given: ['Renée'], family: 'Johnson' }] }],
  ])('a practitioner with %s is not sent', (_name, change) => {
    expect(physicianOf({ ...(nyPhysician as Practitioner), ...change })).toBeUndefined();
  });
});
