import { isPrimitiveType, isResourceType, tryGetDataType, type InternalSchemaElement } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { issue } from './profile-rules';

/**
 * Elements whose JSON form is wrong in ways the medplum validator lets through, and that the
 * indexer would then trip over: a primitive written as an object or array (`"given": [{}]`,
 * `"birthDate": {}` — medplum takes an object for a primitive's id/extension part, its
 * in-memory form of `_birthDate`, or for an absent element), a complex element written as a
 * primitive (`"name": [1]`), an empty array (`"gender": []`, which it takes for an absent
 * element), a primitive's `_` twin that is not an object (`"_gender": 1`) and a contained
 * entry that is not a resource. https://hl7.org/fhir/R4/json.html
 */
export function checkElementShapes(resource: Resource): OperationOutcomeIssue[] {
  // Before crawling: medplum's crawler itself throws on a twin that is not an object or a contained entry of no known type.
  const json = resource as unknown as Record<string, unknown>;
  const unreadable = [...checkTwins(json, resource.resourceType), ...checkContained(json, resource.resourceType)];
  if (unreadable.length > 0) return unreadable;
  const issues: OperationOutcomeIssue[] = [];
  walk(json, resource.resourceType, resource.resourceType, issues);
  return issues;
}

/**
 * Checks the members the JSON has, against its type's elements, and descends into complex
 * ones: one pass over the resource as written. (medplum's crawler visits every element a type
 * defines, present or not: 50 `value[x]` names for each extension.)
 */
function walk(json: Record<string, unknown>, type: string, path: string, issues: OperationOutcomeIssue[]): void {
  const elements = jsonElementsOf(type);
  if (!elements) return;
  for (const [name, value] of Object.entries(json)) {
    // A `_` twin was checked before; an unknown name is for the validator to report.
    const memberType = elements.get(name);
    if (memberType === undefined || value === undefined || value === null) continue;
    const at = `${path}.${name}`;
    if (Array.isArray(value) && value.length === 0) issues.push(issue(at, 'Invalid JSON: an array must not be empty'));
    const items = Array.isArray(value) ? value.map((item: unknown, i) => [item, `${at}[${i}]`] as const) : [[value, at] as const];
    for (const [item, itemAt] of items) {
      const problems = checkItem(item, memberType, itemAt);
      issues.push(...problems);
      if (problems.length > 0 || !isElement(item) || isPrimitiveType(memberType)) continue;
      walk(item, memberType === 'Resource' ? String(item.resourceType) : memberType, itemAt, issues);
    }
  }
}

/** Each type's elements by the names they take in JSON, with the type of their values; made once per type. */
const jsonElements = new Map<string, Map<string, string> | undefined>();

function jsonElementsOf(type: string): Map<string, string> | undefined {
  if (!jsonElements.has(type)) {
    const schema = tryGetDataType(type);
    jsonElements.set(type, schema && new Map(Object.entries(schema.elements).flatMap(([key, element]) => jsonNames(key, element))));
  }
  return jsonElements.get(type);
}

function checkItem(item: unknown, type: string, at: string): OperationOutcomeIssue[] {
  if (item === undefined || item === null) return [];
  if (isPrimitiveType(type)) {
    return typeof item === 'object'
      ? [issue(at, `Invalid JSON type: expected a ${type} value, but got ${Array.isArray(item) ? 'an array' : 'an object'}`)]
      : [];
  }
  return type !== 'Element' && !isElement(item)
    ? [issue(at, `Invalid JSON type: expected a ${type} (an object), but got ${Array.isArray(item) ? 'an array' : `a ${typeof item}`}`)]
    : [];
}

/** Every `_` twin, at any depth, holds a primitive's id and extensions: an object, or for a repeating one an array of objects and nulls. */
function checkTwins(value: unknown, path: string): OperationOutcomeIssue[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => checkTwins(item, `${path}[${i}]`));
  if (!isElement(value)) return [];
  return Object.entries(value).flatMap(([key, member]) => {
    if (!key.startsWith('_')) return checkTwins(member, `${path}.${key}`);
    const fine = isElement(member) || (Array.isArray(member) && member.length > 0 && member.every((item) => item === null || isElement(item)));
    return fine ? [] : [issue(`${path}.${key}`, 'Invalid JSON: the id and extensions of a primitive are an object (or an array of objects and nulls)')];
  });
}

/** `contained` is an array of resources: objects whose resourceType names a FHIR resource type (checked at any depth). */
function checkContained(resource: Record<string, unknown>, path: string): OperationOutcomeIssue[] {
  const contained = resource.contained;
  if (contained === undefined) return [];
  if (!Array.isArray(contained)) return [issue(`${path}.contained`, 'Invalid JSON: contained is an array of resources')];
  return contained.flatMap((entry, i) => {
    const at = `${path}.contained[${i}]`;
    const type: unknown = isElement(entry) ? entry.resourceType : undefined;
    if (typeof type !== 'string' || !isResourceType(type))
      return [issue(`${at}.resourceType`, 'A contained resource needs the resourceType of a FHIR resource')];
    return checkContained(entry as Record<string, unknown>, at);
  });
}

const isElement = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON names of an element with their types: `birthDate`, or `deceasedBoolean` and `deceasedDateTime` for `deceased[x]`. */
function jsonNames(key: string, element: InternalSchemaElement): [string, string][] {
  const codes = element.type.map((t) => t.code);
  if (!key.endsWith('[x]')) return codes.length === 1 ? [[key, codes[0]!]] : [[key, codes.every(isPrimitiveType) ? codes[0]! : 'Element']];
  const stem = key.slice(0, -3);
  return codes.map((code) => [`${stem}${code[0]!.toUpperCase()}${code.slice(1)}`, code]);
}
