import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexSearchParameter } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { validateBase } from './medplum-validation';
import { searchParametersIndexed } from '../search-parameter-generation';

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
    .map((f) => checkedSearchParameter(JSON.parse(readFileSync(join(dir, f), 'utf8')), join(dir, f)));
  for (const param of params) indexSearchParameter(param);
  searchParametersIndexed();
  return params;
}

/** Indexes SearchParameters from FHIR packages like our own; `source` names them in errors. */
export function loadPackageSearchParameters(params: SearchParameter[], source: string): void {
  for (const param of params) indexSearchParameter(checkedSearchParameter(param, `${source}: SearchParameter ${param.url}`));
  searchParametersIndexed();
}

function checkedSearchParameter(param: SearchParameter, source: string): SearchParameter {
  if (param?.resourceType !== 'SearchParameter' || !param.code || !param.expression || !param.base?.length) {
    throw new Error(`${source}: not a SearchParameter with a code, a base and an expression`);
  }
  const errors = validateBase(param).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new Error(`${source}: invalid R4 SearchParameter: ${JSON.stringify(errors)}`);
  return param;
}
