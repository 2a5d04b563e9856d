import type { Resource } from '@medplum/fhirtypes';
import { isOperationOutcomeError } from '../problems/outcomes';
import { invalidField } from '../problems/problem';

/**
 * FHIR validation rejected the resource mapped from `body` (422): the client's input, so a
 * 400 in the request's own field names. The field is the one whose value the failing element
 * holds (`Patient.name[0].given[0]` holds what `first_name` sent), which needs no reverse table
 * of the mapping. Any other error is returned unchanged.
 */
export function inRequestTerms(err: unknown, body: unknown, resource: Resource): unknown {
  if (!isOperationOutcomeError(err) || err.outcome.kind !== 'unprocessable') return err;
  const issue = err.outcome.resource.issue?.[0];
  const text = issue?.details?.text ?? 'is not valid';
  const expression = issue?.expression?.[0];
  const field = expression === undefined ? undefined : fieldHolding(body, valueAt(resource, expression));
  if (field) return invalidField(field, `${field} is not valid: ${text}`);
  return invalidField(expression ?? resource.resourceType, `The request cannot be stored as a FHIR ${resource.resourceType}: ${text}`);
}

/**
 * The value at a validator expression such as `Patient.extension[0].value[x]`. Stepping into
 * a primitive (`Patient.gender.extension[0]`) goes to its JSON twin `_gender`.
 */
function valueAt(resource: Resource, expression: string): unknown {
  const steps = expression.split('.').slice(1);
  let node: unknown = resource;
  for (const [i, step] of steps.entries()) {
    const match = /^(\w+)(\[x\])?(?:\[(\d+)\])?$/.exec(step);
    if (!match?.[1] || typeof node !== 'object' || node === null) return undefined;
    const [, name, choice, index] = match;
    const record = node as Record<string, unknown>;
    const key = choice ? Object.keys(record).find((k) => k.startsWith(name)) : name;
    const isInner = i < steps.length - 1 && index === undefined;
    node = key === undefined ? undefined : isInner && typeof record[key] !== 'object' ? record[`_${key}`] : record[key];
    if (index !== undefined) node = Array.isArray(node) ? node[Number(index)] : undefined;
  }
  return node;
}

/** The request field (`first_name`, `external_ids.crm`) that holds this primitive value. */
function fieldHolding(body: unknown, value: unknown, prefix = ''): string | undefined {
  if (typeof body !== 'object' || body === null || value === undefined || typeof value === 'object') return undefined;
  for (const [key, child] of Object.entries(body)) {
    if (child === value) return `${prefix}${key}`;
    const nested = fieldHolding(child, value, `${prefix}${key}.`);
    if (nested) return nested;
  }
  return undefined;
}
