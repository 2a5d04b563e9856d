import { getSearchParameters } from '@medplum/core';
import { narrowingsOf } from '../../src/fhir/indexing/index-codes';
import { loadR4Definitions, SUPPORTED_TYPES } from '../../src/fhir/validation/definitions';

/*
 * Which parameter keeps a value that two would index (index-codes.ts) decides where rows are
 * written: once rows are written it must not move. These are R4's, for the stored types.
 */
test('the parameters that keep some of another one’s values', () => {
  loadR4Definitions();
  const found = SUPPORTED_TYPES.flatMap((type) =>
    Object.values(getSearchParameters(type) ?? {}).flatMap((param) => narrowingsOf(type, param).map((narrow) => `${type}.${param.code} > ${narrow.code}`)),
  );
  expect(found.sort()).toEqual([
    'Patient.telecom > email',
    'Patient.telecom > phone',
    'Practitioner.telecom > email',
    'Practitioner.telecom > phone',
    'PractitionerRole.telecom > email',
    'PractitionerRole.telecom > phone',
    'ServiceRequest.subject > patient',
  ]);
});
