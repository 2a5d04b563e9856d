import fc from 'fast-check';
import type { Resource } from '@medplum/fhirtypes';
import { knownGaps, r4Examples } from '../helpers/r4-examples';

/*
 * Valid R4 resources of the six stored types: hand-written arbitraries for their main
 * elements, and the official R4 examples the server accepts. Every one must be stored as sent;
 * the mutations (mutations.ts) make them invalid, or valid in odd ways.
 */

export const FHIR_TYPES = ['Patient', 'Practitioner', 'PractitionerRole', 'ServiceRequest', 'Organization', 'Location'] as const;
export type FhirType = (typeof FHIR_TYPES)[number];

/** Text FHIR accepts (`[ \r\n\t\S]+` with some non-space): words, and odd but valid Unicode. */
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Z][a-z]{1,12}( [A-Za-z]{1,8})?$/) },
  fc.constantFrom('Ünïcödé', 'e\u0301', '😀 smile', '👩‍👩‍👧', 'שלום', '\u202eevil', 'a\u200db', '李小龍', 'Zoë-Ann O’Neil', '  padded  '),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }).filter((s) => /\S/.test(s) && /^[ \r\n\t\S]+$/.test(s)),
);
const code = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const uri = fc.oneof(
  fc.stringMatching(/^[a-z]{1,10}$/).map((s) => `http://example.org/fhir/${s}`),
  fc.constantFrom('urn:oid:1.2.36.146.595.217.0.1', 'urn:ietf:rfc:3986', 'http://hl7.org/fhir/sid/us-npi'),
);
const fhirId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9\-.]{0,20}$/);
const date = fc.oneof(
  fc.integer({ min: 1900, max: 2030 }).map(String),
  fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const dateTime = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const list = <T>(arb: fc.Arbitrary<T>, maxLength = 3) => fc.array(arb, { minLength: 1, maxLength });

const coding = fc.record({ system: uri, code, display: text }, { requiredKeys: ['system', 'code'] });
const codeableConcept = fc.oneof(fc.record({ coding: list(coding, 2), text }, { requiredKeys: ['coding'] }), fc.record({ text }));
const identifier = fc.record(
  { use: fc.constantFrom('usual', 'official', 'temp', 'secondary'), system: uri, value: text },
  { requiredKeys: ['system', 'value'] },
);
const humanName = fc.record(
  { use: fc.constantFrom('official', 'usual', 'nickname', 'maiden'), family: text, given: list(text), prefix: list(text, 1), text },
  { requiredKeys: ['family'] },
);
/** `uses`: an Organization's may not be `home` (org-2, org-3). */
const telecomOf = (uses: string[]) =>
  fc.record(
    { system: fc.constantFrom('phone', 'email', 'fax', 'url', 'sms', 'other'), value: text, use: fc.constantFrom(...uses) },
    { requiredKeys: ['system', 'value'] },
  );
const addressOf = (uses: string[]) =>
  fc.record({ use: fc.constantFrom(...uses), line: list(text, 2), city: text, state: text, postalCode: text, country: text }, { requiredKeys: ['city'] });
const telecom = telecomOf(['home', 'work', 'mobile']);
const address = addressOf(['home', 'work']);
const reference = (type: string) => fc.record({ reference: fhirId.map((id) => `${type}/${id}`), display: text }, { requiredKeys: ['reference'] });
const extension = fc.oneof(
  ...[
    fc.record({ valueString: text }),
    fc.record({ valueBoolean: fc.boolean() }),
    fc.record({ valueInteger: int32 }),
    fc.record({ valueDecimal: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }) }),
    fc.record({ valueCode: code }),
    fc.record({ valueDateTime: dateTime }),
  ].map((value) => fc.tuple(fc.stringMatching(/^[a-z]{1,10}$/), value).map(([name, v]) => ({ url: `http://example.org/fuzz/${name}`, ...v }))),
);
const meta = fc.record({ tag: list(coding, 2), source: uri }, { requiredKeys: ['tag'] });

/** Elements every one of the six types has. */
const common = { meta, extension: list(extension) };

const ARBITRARIES: Record<FhirType, fc.Arbitrary<Record<string, unknown>>> = {
  Patient: fc.record(
    {
      ...common,
      active: fc.boolean(),
      identifier: list(identifier),
      name: list(humanName),
      telecom: list(telecom),
      gender: fc.constantFrom('male', 'female', 'other', 'unknown'),
      birthDate: date,
      address: list(address),
      multipleBirthInteger: fc.integer({ min: 1, max: 9 }),
    },
    { requiredKeys: [] },
  ),
  Practitioner: fc.record(
    {
      ...common,
      active: fc.boolean(),
      identifier: list(identifier),
      name: list(humanName),
      telecom: list(telecom),
      gender: fc.constantFrom('male', 'female', 'other', 'unknown'),
      birthDate: date,
      address: list(address),
      qualification: list(fc.record({ code: codeableConcept, identifier: list(identifier, 1) }, { requiredKeys: ['code'] }), 2),
    },
    { requiredKeys: [] },
  ),
  PractitionerRole: fc.record(
    {
      ...common,
      active: fc.boolean(),
      identifier: list(identifier),
      practitioner: reference('Practitioner'),
      organization: reference('Organization'),
      location: list(reference('Location'), 2),
      code: list(codeableConcept, 2),
      specialty: list(codeableConcept, 2),
      telecom: list(telecom),
      availableTime: list(
        fc.record(
          {
            daysOfWeek: fc.uniqueArray(fc.constantFrom('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'), { minLength: 1 }),
            availableStartTime: fc.constantFrom('08:00:00', '09:30:00'),
            availableEndTime: fc.constantFrom('17:00:00', '18:45:00'),
          },
          { requiredKeys: ['daysOfWeek'] },
        ),
        2,
      ),
    },
    { requiredKeys: [] },
  ),
  ServiceRequest: fc.record(
    {
      ...common,
      identifier: list(identifier),
      status: fc.constantFrom('draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'),
      intent: fc.constantFrom('proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option'),
      priority: fc.constantFrom('routine', 'urgent', 'asap', 'stat'),
      category: list(codeableConcept, 2),
      code: codeableConcept,
      subject: reference('Patient'),
      requester: reference('Practitioner'),
      authoredOn: dateTime,
      note: list(fc.record({ text })),
    },
    { requiredKeys: ['status', 'intent', 'subject'] },
  ),
  Organization: fc.record(
    {
      ...common,
      active: fc.boolean(),
      identifier: list(identifier),
      type: list(codeableConcept, 2),
      name: text,
      alias: list(text),
      telecom: list(telecomOf(['work', 'temp'])),
      address: list(addressOf(['work', 'billing'])),
    },
    { requiredKeys: ['name'] },
  ),
  Location: fc.record(
    {
      ...common,
      status: fc.constantFrom('active', 'suspended', 'inactive'),
      name: text,
      alias: list(text),
      description: text,
      mode: fc.constantFrom('instance', 'kind'),
      telecom: list(telecom),
      address,
      position: fc.record({
        longitude: fc.double({ noNaN: true, min: -180, max: 180 }),
        latitude: fc.double({ noNaN: true, min: -90, max: 90 }),
      }),
    },
    { requiredKeys: [] },
  ),
};

let examples: Resource[] | undefined;
/** The official R4 examples of the six types that the server stores as sent (docs/r4-examples.md lists the rest). */
function acceptedExamples(): Resource[] {
  if (!examples) {
    const gaps = new Set(knownGaps().map((g) => g.file));
    examples = r4Examples()
      .filter((e) => !gaps.has(e.file))
      .map((e) => e.resource);
  }
  return examples;
}

/** A valid resource of `type`: generated, or (now and then) an official example. */
export function resourceOf(type: FhirType): fc.Arbitrary<Record<string, unknown>> {
  const generated = ARBITRARIES[type].map((r) => ({ resourceType: type, ...r }));
  const official = acceptedExamples().filter((r) => r.resourceType === type) as unknown as Record<string, unknown>[];
  return official.length === 0 ? generated : fc.oneof({ weight: 4, arbitrary: generated }, { weight: 1, arbitrary: fc.constantFrom(...official) });
}

/** A type and a valid resource of it. */
export const anyResource: fc.Arbitrary<{ type: FhirType; resource: Record<string, unknown> }> = fc.oneof(
  ...FHIR_TYPES.map((type) => resourceOf(type).map((resource) => ({ type, resource }))),
);
