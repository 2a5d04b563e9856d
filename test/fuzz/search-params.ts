import { getSearchParameters } from '@medplum/core';
import fc from 'fast-check';
import { loadR4Definitions } from '../../src/fhir/validation/definitions';
import { FHIR_TYPES, type FhirType } from './fhir-resources';
import { oddName, written } from './query-strings';

/** Every R4 search parameter of the type (served or not), from the R4 definitions. */
function codesOf(type: FhirType): { code: string; type: string }[] {
  loadR4Definitions();
  return Object.values(getSearchParameters(type) ?? {}).map((p) => ({ code: p.code as string, type: p.type as string }));
}

/** The result and control parameters of https://hl7.org/fhir/R4/search.html, and some that are not R4's. */
const CONTROLS = [
  '_count',
  '_offset',
  '_sort',
  '_include',
  '_revinclude',
  '_include:iterate',
  '_revinclude:iterate',
  '_include:recurse',
  '_include:bogus',
  '_elements',
  '_summary',
  '_total',
  '_id',
  '_lastUpdated',
  '_format',
  '_pretty',
  '_has:ServiceRequest:subject:status',
  '_list',
  '_text',
  '_content',
  '_filter',
  '_query',
  '_type',
  '_since',
  '_profile',
  '_tag',
  '_security',
  '_source',
];

const MODIFIERS = [
  ':exact',
  ':contains',
  ':missing',
  ':not',
  ':text',
  ':below',
  ':above',
  ':Patient',
  ':Practitioner',
  ':Organization',
  ':iterate',
  ':bogus',
  ':',
  ':in',
  ':not-in',
  ':of-type',
  ':identifier',
  ':exact:contains',
];

/** A parameter name for a search of `type`: one of its own (perhaps with a modifier or chained), a control, or an odd name. */
export function paramName(type: FhirType): fc.Arbitrary<string> {
  const own = codesOf(type);
  const references = own.filter((p) => p.type === 'reference').map((p) => p.code);
  const anyCode = fc.constantFrom(...FHIR_TYPES.flatMap((t) => codesOf(t).map((p) => p.code)));
  const real = fc.tuple(fc.constantFrom(...own.map((p) => p.code)), fc.option(fc.constantFrom(...MODIFIERS), { freq: 2 })).map(([code, m]) => code + (m ?? ''));
  const chained =
    references.length === 0
      ? real
      : fc
          .tuple(
            fc.constantFrom(...references),
            fc.option(fc.constantFrom(...FHIR_TYPES, 'Bogus'), { freq: 2 }),
            anyCode,
            fc.option(fc.constantFrom(...MODIFIERS), { freq: 3 }),
          )
          .map(([ref, target, code, m]) => `${ref}${target ? `:${target}` : ''}.${code}${m ?? ''}${code.length % 5 === 0 ? `.${code}` : ''}`);
  return fc.oneof(
    { weight: 5, arbitrary: written(real) },
    { weight: 2, arbitrary: written(chained) },
    { weight: 3, arbitrary: written(fc.constantFrom(...CONTROLS)) },
    written(oddName),
  );
}
