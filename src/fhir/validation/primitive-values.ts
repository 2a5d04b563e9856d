import { crawlTypedValue, isPrimitiveType, toTypedValue, type InternalSchemaElement } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { issue } from './profile-rules';

/**
 * Primitive elements written as JSON objects or arrays (`"given": [{}]`, `"birthDate": {}`).
 * The medplum validator takes an object for the id/extension part of a primitive (its
 * in-memory form of `_birthDate`) or, when empty, for an absent element; on the wire a
 * primitive is a string, number or boolean: https://hl7.org/fhir/R4/json.html#primitive
 */
export function checkPrimitiveValues(resource: Resource): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  crawlTypedValue(toTypedValue(resource), {
    visitProperty: (parent, key, _path, _values, schema) => {
      const element = schema.elements[key];
      const json = parent.value as Record<string, unknown> | undefined;
      if (!element || typeof json !== 'object' || json === null) return;
      for (const [name, type] of primitiveNames(key, element)) {
        const value = json[name];
        const items = Array.isArray(value)
          ? value.map((item, i) => [item, `${parent.path}.${name}[${i}]`] as const)
          : [[value, `${parent.path}.${name}`] as const];
        for (const [item, at] of items) {
          if (typeof item === 'object' && item !== null)
            issues.push(issue(at, `Invalid JSON type: expected a ${type} value, but got ${Array.isArray(item) ? 'an array' : 'an object'}`));
        }
      }
    },
  });
  return issues;
}

/** The JSON names of an element's primitive types: `birthDate`, or `deceasedBoolean` and `deceasedDateTime` for `deceased[x]`. */
function primitiveNames(key: string, element: InternalSchemaElement): [string, string][] {
  const primitives = element.type.map((t) => t.code).filter(isPrimitiveType);
  if (!key.endsWith('[x]')) return primitives.length === element.type.length && primitives.length > 0 ? [[key, primitives[0]!]] : [];
  const stem = key.slice(0, -3);
  return primitives.map((code) => [`${stem}${code[0]!.toUpperCase()}${code.slice(1)}`, code]);
}
