import { isEmpty, tryGetDataType, type TypedValue } from '@medplum/core';

/*
 * Most search parameters are plain paths (`Patient.name.family`, `ServiceRequest.subject`, or a
 * union of such paths over several types). FHIRPath evaluates each step by looking the element
 * up and trying the JSON name of each of its types; followed here over the JSON with the same
 * rules, a path costs a property read per step. Anything this does not follow the way medplum's
 * FHIRPath would (a primitive's `_` twin, an element the type does not define, a nested
 * resource) answers undefined, and the caller evaluates the expression as FHIRPath.
 */

/** A path after its leading type name: `Patient.name.family` → ['name', 'family']. */
export type PlainPath = readonly string[];

const PLAIN_BRANCH = /^([A-Z][A-Za-z]*)((?:\.[a-z][A-Za-z]*)+)$/;

/**
 * The branches of `expression` that apply to `resourceType`, when every branch of it is a plain
 * path; undefined when any is not (a function, a cast, a filter).
 */
export function plainPathsOf(expression: string, resourceType: string): PlainPath[] | undefined {
  const branches = expression.split('|').map((branch) => PLAIN_BRANCH.exec(branch.trim()));
  if (branches.some((match) => match === null)) return undefined;
  return branches.filter((match) => match![1] === resourceType).map((match) => match![2]!.slice(1).split('.'));
}

/** The values at the end of the paths, as FHIRPath would give them; undefined where only FHIRPath can say. */
export function followPlainPaths(resource: TypedValue, paths: readonly PlainPath[]): TypedValue[] | undefined {
  const found: TypedValue[] = [];
  for (const path of paths) {
    let current: TypedValue[] = [resource];
    for (const step of path) {
      const next: TypedValue[] = [];
      for (const value of current) if (!stepInto(value, step, next)) return undefined;
      current = next;
    }
    found.push(...current);
  }
  return found;
}

/** Adds the values of `step` in `from` to `into`; false where FHIRPath must be asked. */
function stepInto(from: TypedValue, step: string, into: TypedValue[]): boolean {
  const object = from.value as Record<string, unknown> | undefined;
  if (!object || typeof object !== 'object') return true;
  if (object.resourceType !== undefined && from.type !== object.resourceType) return false;
  const elements = tryGetDataType(from.type)?.elements;
  const element = elements?.[step] ?? elements?.[`${step}[x]`];
  if (!element) return false;
  const name = element.path.slice(element.path.lastIndexOf('.') + 1);
  for (const { code } of element.type) {
    const member = name.replace('[x]', code.charAt(0).toUpperCase() + code.slice(1));
    if (object[`_${member}`] !== undefined) return false;
    const value = object[member];
    if (value === undefined) continue;
    if (isEmpty(value)) return true;
    const type = code === 'Element' || code === 'BackboneElement' ? element.type[0]!.code : code;
    if (type === 'Resource') return false;
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) into.push({ type, value: item });
    return true;
  }
  return true;
}
