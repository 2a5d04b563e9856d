import * as core from '@medplum/core';

/*
 * The @medplum/core functions called for every element of every resource written (validation
 * walks, index extraction), read from the package once. Its CommonJS build defines each export
 * as a getter sharing one body (`() => module[name]`), whose lookup by a varying name is slow;
 * compiled to CommonJS, a call through an import runs that getter on every call: 4% of the
 * server's CPU for a Bundle of Synthea Patients. Other medplum functions are imported as usual.
 */
export const { evalFhirPathTyped, fhirTypeToJsType, getSearchParameters, isEmpty, isPrimitiveType, toTypedValue, tryGetDataType, validationRegexes } = core;
