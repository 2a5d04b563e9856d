import { getSearchParameterDetails, getSearchParameters } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { memoByParamAndType } from './memo-by-param';
import { plainPathsOf, walkPathsOf, type ResolvesToStep, type WalkPath, type WhereStep } from './plain-paths';

const R4_DEFINITIONS = 'http://hl7.org/fhir/SearchParameter/';

/**
 * Search parameters of one type that are the same plain path with the same type would write
 * the same index rows: R4's `phonetic` is `name` on Patient and Practitioner (this server
 * matches it as a string, not by sound), four string rows of a Patient's eighteen. One of them
 * keeps the rows, and a search on another reads them: an R4 definition before one of ours (so
 * that a package loaded later never moves rows already written), then the first code.
 */
export const indexCodeOf = memoByParamAndType(firstOfItsKind);

function firstOfItsKind(resourceType: string, param: SearchParameter): string {
  const own = param.code ?? '';
  const key = kindOf(resourceType, param);
  if (key === undefined) return own;
  const alike = Object.values(getSearchParameters(resourceType) ?? {}).filter((other) => kindOf(resourceType, other) === key);
  return alike.map((other) => [isR4(other) ? 0 : 1, other.code ?? ''] as const).sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))[0]?.[1] ?? own;
}

/** The parameter's type and plain paths for this resource type; undefined when it is not only plain paths. */
function kindOf(resourceType: string, param: SearchParameter): string | undefined {
  const paths = param.expression ? plainPathsOf(param.expression, resourceType) : undefined;
  return paths && paths.length > 0 ? `${param.type} ${JSON.stringify(paths)}` : undefined;
}

const isR4 = (param: SearchParameter): boolean => param.url?.startsWith(R4_DEFINITIONS) ?? false;

/** The elements of a HumanName and an Address whose text a string parameter on the whole of it matches. */
const STRING_PARTS: Readonly<Record<string, readonly string[]>> = {
  HumanName: ['text', 'family', 'given', 'prefix', 'suffix'],
  Address: ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country'],
};

/**
 * The parts of a HumanName or Address parameter that a parameter of their own already indexes,
 * by element: R4's `name` holds `family` and `given`, whose parameters store those same strings,
 * and `address` holds `address-city`, `-state`, `-postalcode` and `-country`. The whole's rows
 * keep only the other parts (a Synthea Patient's string rows fall from 16 to 9), and a search on the
 * whole reads its own rows and the parts' (`rowCodesOf`). Only R4 definitions on both sides,
 * so that a package loaded later never moves rows already written.
 */
export const partsIndexedElsewhere = memoByParamAndType(findPartParams);

/**
 * A parameter that keeps some of another's values: those a code's filter keeps (`keeps`), or a
 * reference's rows that point at one resource type (`pointsAt`).
 */
export type Narrowing = { code: string; keeps: WhereStep } | { code: string; pointsAt: string };

/**
 * The parameters whose values are some of this one's, chosen by a filter: R4's `phone` and
 * `email` are `telecom.where(system = …)` on Patient, Practitioner and PractitionerRole, an
 * order's `patient` is `subject.where(resolve() is Patient)`. Each such value would be written
 * twice, alike, under both codes. The narrow parameter keeps those rows, this one the rest
 * (extract.ts), and a search on it reads the narrow ones' rows too (`rowCodesOf`). A reference
 * goes by the target type its row names (`…/Patient/1` included, which FHIRPath's `resolve()`
 * reads as no type), so a chain through `subject` to a Patient reads `patient` rows alone
 * (`rowCodesTo`). One path on each side and R4 definitions only, so that a package loaded later
 * never moves rows already written.
 */
export const narrowingsOf = memoByParamAndType((resourceType, wide): readonly Narrowing[] => {
  const paths = isR4(wide) && wide.expression ? plainPathsOf(wide.expression, resourceType) : undefined;
  const [path, ...more] = paths ?? [];
  if (!path || more.length > 0 || indexCodeOf(resourceType, wide) !== wide.code) return [];
  return Object.values(getSearchParameters(resourceType) ?? {}).flatMap((narrow): Narrowing[] => {
    if (narrow === wide || narrow.type !== wide.type || !isR4(narrow) || !narrow.code || !narrow.expression) return [];
    const filter = filterAfter(path, walkPathsOf(narrow.expression, resourceType));
    if (!filter || indexCodeOf(resourceType, narrow) !== narrow.code) return [];
    return 'equals' in filter ? [{ code: narrow.code, keeps: filter }] : [{ code: narrow.code, pointsAt: filter.resolvesTo }];
  });
});

/** The filter of `narrow`'s one path when that path is `path` followed by a filter. */
function filterAfter(path: readonly string[], narrow: WalkPath[] | undefined): WhereStep | ResolvesToStep | undefined {
  const [only, ...more] = narrow ?? [];
  const last = only?.[only.length - 1];
  if (!only || more.length > 0 || typeof last !== 'object' || !('equals' in last || 'resolvesTo' in last)) return undefined;
  return only.length === path.length + 1 && path.every((step, i) => only[i] === step) ? last : undefined;
}

/** Whether the parameter's rows are another's that point at one type (`pointsAt`): it writes none of its own. */
export const isTargetNarrowing = memoByParamAndType((resourceType, param): boolean =>
  Object.values(getSearchParameters(resourceType) ?? {}).some((wide) =>
    narrowingsOf(resourceType, wide).some((narrowing) => 'pointsAt' in narrowing && narrowing.code === param.code),
  ),
);

/**
 * The codes whose rows of a reference parameter may point at `targetType`: the narrow one's
 * alone when one keeps those rows, else every row code but the narrow ones'.
 */
export function rowCodesTo(resourceType: string, param: SearchParameter, targetType: string): readonly string[] {
  const narrowings = narrowingsOf(resourceType, param);
  const kept = narrowings.find((narrowing) => 'pointsAt' in narrowing && narrowing.pointsAt === targetType);
  if (kept) return [kept.code];
  const elsewhere = new Set(narrowings.filter((narrowing) => 'pointsAt' in narrowing).map((narrowing) => narrowing.code));
  return rowCodesOf(resourceType, param).filter((code) => !elsewhere.has(code));
}

/** Every code whose rows hold a parameter's values: the rows it is stored under (`indexCodeOf`), then its narrowings' and its parts'. */
export const rowCodesOf = memoByParamAndType((resourceType, param): readonly string[] => {
  const code = indexCodeOf(resourceType, param);
  const holder = code === param.code ? param : (getSearchParameters(resourceType)?.[code] ?? param);
  return [code, ...narrowingsOf(resourceType, holder).map((narrowing) => narrowing.code), ...partsIndexedElsewhere(resourceType, holder).values()];
});

/** The parts whose text the parameter's own rows hold, by the type of the value (`ownStringParts`). */
export const ownStringParts = memoByParamAndType((resourceType, param): Readonly<Record<string, readonly string[]>> => {
  const elsewhere = partsIndexedElsewhere(resourceType, param);
  return Object.fromEntries(Object.entries(STRING_PARTS).map(([type, parts]) => [type, parts.filter((part) => !elsewhere.has(part))]));
});

function findPartParams(resourceType: string, param: SearchParameter): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  const parts = param.type === 'string' && isR4(param) ? STRING_PARTS[wholeTypeOf(resourceType, param) ?? ''] : undefined;
  const paths = parts && param.expression ? plainPathsOf(param.expression, resourceType) : undefined;
  if (!parts || !paths || paths.length === 0) return found;
  const others = Object.values(getSearchParameters(resourceType) ?? {}).filter((other) => other.type === 'string' && isR4(other) && other !== param);
  for (const part of parts) {
    const wanted = JSON.stringify(paths.map((path) => [...path, part]));
    const other = others.find((o) => o.expression && JSON.stringify(plainPathsOf(o.expression, resourceType)) === wanted);
    if (other) found.set(part, indexCodeOf(resourceType, other));
  }
  return found;
}

/** `HumanName` or `Address` when every element the parameter reaches is of that one type. */
function wholeTypeOf(resourceType: string, param: SearchParameter): string | undefined {
  const types = new Set(getSearchParameterDetails(resourceType, param).elementDefinitions?.flatMap((e) => e.type?.map((t) => t.code) ?? []));
  const [only] = types;
  return types.size === 1 ? only : undefined;
}
