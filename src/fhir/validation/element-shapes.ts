import { isResourceType, type InternalSchemaElement } from '@medplum/core';
import { isPrimitiveType, tryGetDataType } from '../medplum-core';
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
  const issues: OperationOutcomeIssue[] = [];
  checkTwins(json, resource.resourceType, issues);
  issues.push(...checkContained(json, resource.resourceType));
  if (issues.length === 0) walk(json, resource.resourceType, resource.resourceType, issues);
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
  for (const name of Object.keys(json)) {
    // A `_` twin was checked before; an unknown name is for the validator to report.
    const memberType = elements.get(name);
    const value = json[name];
    if (memberType === undefined || value === undefined || value === null) continue;
    const at = `${path}.${name}`;
    if (!Array.isArray(value)) checkMember(value, memberType, at, issues);
    else if (value.length === 0) issues.push(issue(at, 'Invalid JSON: an array must not be empty'));
    else for (let i = 0; i < value.length; i++) checkMember(value[i], memberType, `${at}[${i}]`, issues);
  }
}

/** Checks one value of a member, and descends into it when it is a well-formed complex element. */
function checkMember(item: unknown, memberType: string, at: string, issues: OperationOutcomeIssue[]): void {
  const problem = itemProblem(item, memberType, at);
  if (problem) issues.push(problem);
  else if (isElement(item) && !isPrimitiveType(memberType)) walk(item, memberType === 'Resource' ? String(item.resourceType) : memberType, at, issues);
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

function itemProblem(item: unknown, type: string, at: string): OperationOutcomeIssue | undefined {
  if (item === undefined || item === null) return undefined;
  if (isPrimitiveType(type)) {
    return typeof item === 'object'
      ? issue(at, `Invalid JSON type: expected a ${type} value, but got ${Array.isArray(item) ? 'an array' : 'an object'}`)
      : undefined;
  }
  return type !== 'Element' && !isElement(item)
    ? issue(at, `Invalid JSON type: expected a ${type} (an object), but got ${Array.isArray(item) ? 'an array' : `a ${typeof item}`}`)
    : undefined;
}

/** Every `_` twin, at any depth, holds a primitive's id and extensions: an object, or for a repeating one an array of objects and nulls. */
function checkTwins(value: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkTwins(value[i], `${path}[${i}]`, issues);
    return;
  }
  if (!isElement(value)) return;
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (!key.startsWith('_')) checkTwins(member, `${path}.${key}`, issues);
    else if (!isTwin(member))
      issues.push(issue(`${path}.${key}`, 'Invalid JSON: the id and extensions of a primitive are an object (or an array of objects and nulls)'));
  }
}

const isTwin = (member: unknown): boolean =>
  isElement(member) || (Array.isArray(member) && member.length > 0 && member.every((item) => item === null || isElement(item)));

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
