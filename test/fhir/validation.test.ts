import { randomUUID } from 'node:crypto';
import { OperationOutcomeError as MedplumOutcomeError } from '@medplum/core';
import type { Patient, Practitioner, PractitionerRole, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { EXT, FACADE_BASE, PROFILE, SYSTEM } from '../../mappings/fhir-urls';
import { OperationOutcomeError, statusOf } from '../../src/problems/outcomes';
import { loadProfiles } from '../../src/fhir/validation/profiles';
import { checkRequiredBindings } from '../../src/fhir/validation/required-bindings';
import { createValidator, type Validator } from '../../src/fhir/validation/validation';

let validator: Validator;
beforeAll(() => {
  validator = createValidator(loadProfiles());
});

/** The error `validate` throws (failing the test if it does not throw ours). */
function rejection(resource: unknown): OperationOutcomeError {
  try {
    validator.validate(resource as Resource);
  } catch (err) {
    expect(err).toBeInstanceOf(OperationOutcomeError);
    expect(err).not.toBeInstanceOf(MedplumOutcomeError);
    return err as OperationOutcomeError;
  }
  throw new Error('expected the resource to be rejected');
}

const expressions = (err: OperationOutcomeError) => err.outcome.resource.issue?.flatMap((i) => i.expression ?? []);

function expect422(resource: unknown, ...expected: string[]): OperationOutcomeError {
  const err = rejection(resource);
  expect(statusOf(err.outcome)).toBe(422);
  expect(expressions(err)).toEqual(expect.arrayContaining(expected));
  return err;
}

const patient = (): Patient => ({
  resourceType: 'Patient',
  id: randomUUID(),
  meta: { profile: [PROFILE.v1Patient] },
  extension: [
    { url: EXT.brandId, valueString: `brand-${randomUUID()}` },
    { url: EXT.metadata, valueString: JSON.stringify({ source: 'test' }) },
    { url: EXT.ageVerifiedAt, valueDateTime: '2024-05-01T10:00:00Z' },
    { url: EXT.prescriptionStatus, valueString: 'pending' },
  ],
  name: [{ given: ['Ada'], family: 'Lovelace' }],
  birthDate: '1990-12-10',
});

const physician = (): Practitioner => ({
  resourceType: 'Practitioner',
  meta: { profile: [PROFILE.v1Physician] },
  extension: [
    { url: EXT.displayName, valueString: 'Dr. Grace' },
    { url: EXT.bio, valueMarkdown: '**Endocrinologist**' },
    { url: EXT.bookableOnline, valueBoolean: true },
  ],
  identifier: [{ system: SYSTEM.npi, value: '1234567890' }],
  name: [{ given: ['Grace'], family: 'Hopper' }],
  qualification: [
    {
      extension: [{ url: EXT.licenseState, valueCode: 'NY' }],
      identifier: [{ system: SYSTEM.stateLicense, value: 'L-123' }],
      code: { coding: [{ system: SYSTEM.qualificationType, code: 'state-license' }] },
    },
  ],
});

const role = (system: string = SYSTEM.hl7PractitionerRole, code = 'doctor'): PractitionerRole => ({
  resourceType: 'PractitionerRole',
  meta: { profile: [PROFILE.v1PractitionerRole] },
  practitioner: { reference: `Practitioner/${randomUUID()}` },
  code: [{ coding: [{ system, code }] }],
  availableTime: [{ daysOfWeek: ['mon', 'tue'], availableStartTime: '09:00:00', availableEndTime: '17:00:00' }],
});

const labOrder = (): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  meta: { profile: [PROFILE.labOrder] },
  extension: [{ url: EXT.brandId, valueString: 'brand-1' }],
  status: 'active',
  intent: 'order',
  category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }] }],
  code: { coding: [{ system: SYSTEM.labPanel, code: 'pcos' }] },
  subject: { reference: `Patient/${randomUUID()}` },
});

describe('base R4', () => {
  test('valid resources of every supported type pass', () => {
    const resources: Resource[] = [
      { resourceType: 'Patient', name: [{ family: 'Plain' }], gender: 'female', birthDate: '2000-01-01' },
      { resourceType: 'Practitioner', active: true },
      { resourceType: 'PractitionerRole', code: [{ text: 'anything' }] },
      { resourceType: 'ServiceRequest', status: 'draft', intent: 'plan', subject: { reference: 'Group/1' } },
      { resourceType: 'Organization', name: 'Clinic' },
      { resourceType: 'Location', name: 'Main Campus' },
    ];
    for (const r of resources) expect(() => validator.validate(r)).not.toThrow();
  });

  test('a malformed date answers 422 naming the element', () => {
    expect422({ resourceType: 'Patient', birthDate: '10/12/1990' }, 'Patient.birthDate');
  });

  test('every failure is reported at once, each with its FHIRPath', () => {
    const err = expect422(
      { resourceType: 'Patient', gender: 'female', name: [{ given: [42] }], nickname: 'Ada' },
      'Patient.name[0].given[0]',
      'Patient.nickname',
    );
    expect(err.outcome.kind).toBe('unprocessable');
    expect(err.outcome.resource.issue?.every((i) => i.severity === 'error')).toBe(true);
  });

  test('a ServiceRequest without status, intent or subject answers 422 for each', () => {
    expect422({ resourceType: 'ServiceRequest' }, 'ServiceRequest.status', 'ServiceRequest.intent', 'ServiceRequest.subject');
  });

  test('a malformed code answers 422 naming the element', () => {
    expect422({ resourceType: 'Location', name: 'Lab', status: 'Not A Code ' }, 'Location.status');
  });

  test.each([null, 'Patient', [], { name: 'no type' }])('%j is not a resource: 400 naming resourceType', (body) => {
    const err = rejection(body);
    expect(statusOf(err.outcome)).toBe(400);
    expect(expressions(err)).toEqual(['resourceType']);
  });

  test('a type the server does not store answers 400 naming resourceType', () => {
    const err = rejection({ resourceType: 'Observation', status: 'final', code: { text: 'x' } });
    expect(statusOf(err.outcome)).toBe(400);
    expect(expressions(err)).toEqual(['resourceType']);
  });
});

describe('our extensions, wherever they appear', () => {
  test('a value of the wrong type is refused', () => {
    expect422({ resourceType: 'Patient', extension: [{ url: EXT.brandId, valueInteger: 7 }] }, 'Patient.extension[0].valueInteger');
    expect422({ resourceType: 'Patient', extension: [{ url: EXT.ageVerifiedAt, valueString: 'yesterday' }] }, 'Patient.extension[0].valueString');
  });

  test('an extension outside its context is refused', () => {
    expect422({ resourceType: 'Patient', extension: [{ url: EXT.licenseState, valueCode: 'CA' }] }, 'Patient.extension[0]');
    expect422({ resourceType: 'Organization', name: 'x', extension: [{ url: EXT.brandId, valueString: 'b' }] }, 'Organization.extension[0]');
  });

  test('license-state only takes a US state or territory code', () => {
    const practitioner = physician();
    practitioner.qualification![0]!.extension = [{ url: EXT.licenseState, valueCode: 'ZZ' }];
    expect422(practitioner, 'Practitioner.qualification[0].extension[0].value[x]');
    practitioner.qualification![0]!.extension = [{ url: EXT.licenseState, valueCode: 'PR' }];
    expect(() => validator.validate(practitioner)).not.toThrow();
  });

  test('v1-metadata holds the text of a JSON object', () => {
    expect422({ resourceType: 'Patient', extension: [{ url: EXT.metadata, valueString: 'not json' }] }, 'Patient.extension[0].value[x]');
  });

  test('an unknown extension in our namespace is refused; others are left alone', () => {
    const ours = { url: `${FACADE_BASE}/StructureDefinition/brandid`, valueString: 'typo' };
    expect422({ resourceType: 'Patient', extension: [ours] }, 'Patient.extension[0].url');
    const theirs = { url: 'http://example.org/fhir/StructureDefinition/anything', valueInteger: 1 };
    expect(() => validator.validate({ resourceType: 'Patient', extension: [theirs] })).not.toThrow();
  });
});

describe('profiles claimed in meta.profile', () => {
  test('conforming resources pass every profile', () => {
    for (const r of [patient(), physician(), role(), role(SYSTEM.facadePractitionerRole, 'consultant'), labOrder()]) {
      expect(() => validator.validate(r)).not.toThrow();
    }
  });

  test('an unknown profile is kept with a warning naming meta.profile; with unknownProfiles: reject it is a 422', () => {
    const claim = { ...patient(), meta: { profile: ['http://example.org/StructureDefinition/other'] } };
    expect(validator.validate(claim)).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'not-supported', expression: ['Patient.meta.profile[0]'] }),
    ]);
    const strict = createValidator(loadProfiles(), { unknownProfiles: 'reject' });
    expect(() => strict.validate(claim)).toThrow('Unknown profile http://example.org/StructureDefinition/other');
  });

  test('a profile of another type answers 422 naming meta.profile', () => {
    expect422({ ...patient(), meta: { profile: [PROFILE.labOrder] } }, 'Patient.meta.profile[0]');
  });

  test('an extension definition is not a profile', () => {
    expect422({ ...patient(), meta: { profile: [EXT.brandId] } }, 'Patient.meta.profile[0]');
  });

  test('the base definition and a versioned canonical are accepted', () => {
    const profiles = ['http://hl7.org/fhir/StructureDefinition/Patient', `${PROFILE.v1Patient}|1.0.0`];
    expect(() => validator.validate({ ...patient(), meta: { profile: profiles } })).not.toThrow();
  });

  describe('v1-patient', () => {
    test('without the brand-id extension answers 422 naming the extension element and the slice', () => {
      const err = expect422({ ...patient(), extension: undefined }, 'Patient.extension');
      expect(err.outcome.resource.issue?.[0]?.diagnostics).toContain(EXT.brandId);
      const others = patient().extension!.filter((e) => e.url !== EXT.brandId);
      const slice = expect422({ ...patient(), extension: others }, 'Patient.extension');
      expect(slice.outcome.resource.issue?.[0]?.details?.text).toContain("slice 'brandId'");
    });

    test('two brand ids answer 422', () => {
      const p = patient();
      p.extension!.push({ url: EXT.brandId, valueString: 'another' });
      expect422(p, 'Patient.extension');
    });

    test('without a name answers 422 naming Patient.name', () => {
      expect422({ ...patient(), name: undefined }, 'Patient.name');
    });

    test('the same resource without the profile claim is valid base R4', () => {
      expect(() => validator.validate({ resourceType: 'Patient' })).not.toThrow();
    });
  });

  describe('v1-physician', () => {
    test('without an identifier answers 422 naming Practitioner.identifier', () => {
      expect422({ ...physician(), identifier: undefined }, 'Practitioner.identifier');
    });

    test('two NPIs answer 422', () => {
      const p = physician();
      p.identifier!.push({ system: SYSTEM.npi, value: '0987654321' });
      expect422(p, 'Practitioner.identifier');
    });

    test('without a name answers 422 naming Practitioner.name', () => {
      expect422({ ...physician(), name: undefined }, 'Practitioner.name');
    });
  });

  describe('v1-practitioner-role', () => {
    test('a role code outside our value set answers 422 naming the code', () => {
      expect422(role(SYSTEM.hl7PractitionerRole, 'admin'), 'PractitionerRole.code[0]');
      expect422(role(SYSTEM.hl7PractitionerRole, 'researcher'), 'PractitionerRole.code[0]');
      expect422({ ...role(), code: [{ text: 'doctor' }] }, 'PractitionerRole.code[0]');
    });

    test('without a practitioner or a code answers 422 naming each', () => {
      expect422({ ...role(), practitioner: undefined, code: undefined }, 'PractitionerRole.practitioner', 'PractitionerRole.code');
    });
  });

  describe('lab-order', () => {
    test('without brand-id, category or code answers 422 naming each', () => {
      const order = { ...labOrder(), extension: undefined, category: undefined, code: undefined };
      expect422(order, 'ServiceRequest.extension', 'ServiceRequest.category', 'ServiceRequest.code');
    });

    test('a subject that is not a Patient answers 422 naming the subject', () => {
      expect422({ ...labOrder(), subject: { reference: 'Group/g1' } }, 'ServiceRequest.subject');
    });

    test('without a subject answers 422 naming the subject', () => {
      expect422({ ...labOrder(), subject: undefined }, 'ServiceRequest.subject');
    });

    test('a code that is not one of our panels answers 422 naming the code', () => {
      expect422({ ...labOrder(), code: { coding: [{ system: SYSTEM.labPanel, code: 'thyroid' }] } }, 'ServiceRequest.code');
      expect422({ ...labOrder(), code: { coding: [{ system: 'http://loinc.org', code: 'pcos' }] } }, 'ServiceRequest.code');
    });
  });
});

describe('required bindings of base R4', () => {
  test('a code outside a required value set answers 422 naming the element and the value set', () => {
    const err = expect422({ resourceType: 'Patient', gender: 'x' }, 'Patient.gender');
    const text = err.outcome.resource.issue?.[0]?.details?.text;
    expect(text).toContain('http://hl7.org/fhir/ValueSet/administrative-gender');
    expect(text).toContain('male, female, other, unknown');
    expect(err.outcome.resource.issue?.[0]?.code).toBe('code-invalid');
  });

  test('codes are checked inside data types and backbone elements, with their index', () => {
    expect422(
      {
        resourceType: 'Patient',
        name: [{ family: 'A' }, { family: 'B', use: 'nick' }],
        telecom: [{ system: 'pager2', value: '1' }],
        contact: [{ name: { family: 'C' }, gender: 'f' }],
      },
      'Patient.name[1].use',
      'Patient.telecom[0].system',
      'Patient.contact[0].gender',
    );
    expect422({ resourceType: 'Location', name: 'Lab', hoursOfOperation: [{ daysOfWeek: ['mon', 'mo'] }] }, 'Location.hoursOfOperation[0].daysOfWeek[1]');
  });

  test('a ServiceRequest status and intent must be R4 codes', () => {
    expect422(
      { resourceType: 'ServiceRequest', status: 'pending', intent: 'orders', priority: 'now', subject: { reference: 'Patient/1' } },
      'ServiceRequest.status',
      'ServiceRequest.intent',
      'ServiceRequest.priority',
    );
  });

  test('binding failures and other base failures come in one outcome', () => {
    expect422({ resourceType: 'Patient', gender: 'x', birthDate: 'yesterday' }, 'Patient.gender', 'Patient.birthDate');
  });

  test('codes in extension values, primitive extensions and contained resources are checked', () => {
    const humanName = { url: 'http://example.org/name', valueHumanName: { use: 'alias' } };
    expect422({ resourceType: 'Patient', extension: [humanName] }, 'Patient.extension[0].valueHumanName.use');
    expect422(
      { resourceType: 'Patient', birthDate: '2000-01-01', _birthDate: { extension: [humanName] } },
      'Patient.birthDate.extension[0].valueHumanName.use',
    );
    const contained = { resourceType: 'Practitioner', id: 'p1', gender: 'none' };
    expect422({ resourceType: 'Organization', name: 'x', contained: [contained] }, 'Organization.contained[0].gender');
  });

  test('a CodeableConcept is judged only by its codings from the bound system', () => {
    const clinical = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
    const condition = (coding: object[]) => ({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/1' }, clinicalStatus: { coding } });
    const patientWith = (coding: object[]) => ({ resourceType: 'Patient', contained: [condition(coding)] });
    expect422(patientWith([{ system: clinical, code: 'sleeping' }]), 'Patient.contained[0].clinicalStatus');
    expect(() => validator.validate(patientWith([{ system: clinical, code: 'relapse' }]) as Resource)).not.toThrow();
    expect(() => validator.validate(patientWith([{ system: 'http://snomed.info/sct', code: '55561003' }]) as Resource)).not.toThrow();
  });

  test('value sets that R4 cannot enumerate are not checked', () => {
    const patient = {
      resourceType: 'Patient',
      photo: [{ contentType: 'image/x-anything', url: 'http://example.org/p.png' }],
      communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'xx-YY' }] } }],
      extension: [{ url: 'http://example.org/fee', valueMoney: { value: 1, currency: 'XYZ' } }],
    };
    expect(() => validator.validate(patient as Resource)).not.toThrow();
  });

  test('every code of the bound value sets passes', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      gender: 'unknown',
      name: [{ use: 'maiden', family: 'A' }],
      telecom: ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'].map((system) => ({ system: system as 'phone', value: '1', use: 'mobile' })),
      address: [{ use: 'billing', type: 'both', city: 'X' }],
      identifier: [{ use: 'secondary', value: '1' }],
      link: [{ other: { reference: 'Patient/2' }, type: 'seealso' }],
      text: { status: 'extensions', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
    };
    expect(() => validator.validate(patient)).not.toThrow();
    const order: ServiceRequest = {
      resourceType: 'ServiceRequest',
      status: 'entered-in-error',
      intent: 'reflex-order',
      priority: 'stat',
      subject: { reference: 'Patient/1' },
    };
    expect(() => validator.validate(order)).not.toThrow();
  });

  test('the binding check costs well under a millisecond per resource', () => {
    const p = { ...patient(), telecom: [{ system: 'phone', value: '1', use: 'home' }], address: [{ use: 'home', city: 'X' }] } as Patient;
    expect(checkRequiredBindings(p as unknown as Record<string, unknown>)).toEqual([]);
    const start = performance.now();
    for (let i = 0; i < 500; i++) checkRequiredBindings(p as unknown as Record<string, unknown>);
    expect((performance.now() - start) / 500).toBeLessThan(1);
  });
});

describe('v1-physician requires what the /v1 projection shows', () => {
  test('a registration without an NPI fails on Practitioner.identifier', () => {
    expect422({ ...physician(), identifier: [{ system: 'urn:other', value: '1' }] }, 'Practitioner.identifier');
  });

  test('a registration without a qualification fails on Practitioner.qualification', () => {
    const { qualification: _q, ...withoutLicence } = physician();
    expect422(withoutLicence, 'Practitioner.qualification');
  });
});
