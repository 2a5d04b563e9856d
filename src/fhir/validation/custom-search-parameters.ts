import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexSearchParameter } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { validateBase } from './medplum-validation';

const FILE = /^SearchParameter-.+\.json$/;

/** Our SearchParameters sit in `fhir-profiles/` beside the profiles but are not profiles. */
export function isSearchParameterFile(fileName: string): boolean {
  return FILE.test(fileName);
}

/**
 * Indexes `fhir-profiles/SearchParameter-*.json` into medplum next to the base R4 ones, so
 * every write extracts their index rows and FHIR search accepts their codes. Throws on a
 * file that is not a valid SearchParameter, stopping the server at start-up.
 */
export function loadCustomSearchParameters(dir: string): SearchParameter[] {
  const params = readdirSync(dir)
    .filter(isSearchParameterFile)
    .sort()
    .map((f) => readSearchParameter(join(dir, f)));
  for (const param of params) indexSearchParameter(param);
  return params;
}

function readSearchParameter(file: string): SearchParameter {
  const param = JSON.parse(readFileSync(file, 'utf8')) as SearchParameter;
  if (param?.resourceType !== 'SearchParameter' || !param.code || !param.expression || !param.base?.length) {
    throw new Error(`${file}: not a SearchParameter with a code, a base and an expression`);
  }
  const errors = validateBase(param).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new Error(`${file}: invalid R4 SearchParameter: ${JSON.stringify(errors)}`);
  return param;
}
