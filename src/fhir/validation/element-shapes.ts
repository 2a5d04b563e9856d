import { crawlTypedValue, isPrimitiveType, toTypedValue, type InternalSchemaElement } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { issue } from './profile-rules';

/**
 * Elements whose JSON form is wrong in ways the medplum validator lets through, and that the
 * indexer would then trip over: a primitive written as an object or array (`"given": [{}]`,
 * `"birthDate": {}` — medplum takes an object for a primitive's id/extension part, its
 * in-memory form of `_birthDate`, or for an absent element) and an empty array (`"gender": []`,
 * which it takes for an absent element), and a primitive's `_` twin that is not an object
 * (`"_gender": 1`). https://hl7.org/fhir/R4/json.html
 */
export function checkElementShapes(resource: Resource): OperationOutcomeIssue[] {
  // Before crawling: medplum's crawler itself throws on a twin that is not an object.
  const twins = checkTwins(resource, resource.resourceType);
  if (twins.length > 0) return twins;
  const issues: OperationOutcomeIssue[] = [];
  crawlTypedValue(toTypedValue(resource), {
    visitProperty: (parent, key, _path, _values, schema) => {
      const element = schema.elements[key];
      const json = parent.value as Record<string, unknown> | undefined;
      if (!element || typeof json !== 'object' || json === null) return;
      for (const [name, type] of jsonNames(key, element)) {
        const value = json[name];
        const at = `${parent.path}.${name}`;
        if (Array.isArray(value) && value.length === 0) issues.push(issue(at, 'Invalid JSON: an array must not be empty'));
        if (!isPrimitiveType(type)) continue;
        const items = Array.isArray(value) ? value.map((item, i) => [item, `${at}[${i}]`] as const) : [[value, at] as const];
        for (const [item, itemAt] of items) {
          if (typeof item === 'object' && item !== null)
            issues.push(issue(itemAt, `Invalid JSON type: expected a ${type} value, but got ${Array.isArray(item) ? 'an array' : 'an object'}`));
        }
      }
    },
  });
  return issues;
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

const isElement = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON names of an element with their types: `birthDate`, or `deceasedBoolean` and `deceasedDateTime` for `deceased[x]`. */
function jsonNames(key: string, element: InternalSchemaElement): [string, string][] {
  const codes = element.type.map((t) => t.code);
  if (!key.endsWith('[x]')) return codes.length === 1 ? [[key, codes[0]!]] : [[key, codes.every(isPrimitiveType) ? codes[0]! : 'Element']];
  const stem = key.slice(0, -3);
  return codes.map((code) => [`${stem}${code[0]!.toUpperCase()}${code.slice(1)}`, code]);
}
