import Ajv, { type ErrorObject, type Schema } from 'ajv';
import addFormats from 'ajv-formats';
import { invalidField } from '../problems/problem';

const ajv = new Ajv({ allErrors: false, useDefaults: true, coerceTypes: false, allowUnionTypes: true, strict: false });
addFormats(ajv);

export type Check<T> = (data: unknown) => T;

/**
 * Compiles a documented JSON Schema into a check that returns the (defaulted) data or throws
 * a 400 whose message names the field, e.g. `email must match format "email"`.
 */
export function compileCheck<T>(schema: Schema, code = 'validation_error'): Check<T> {
  const validate = ajv.compile(schema);
  return (data: unknown): T => {
    if (validate(data)) return data as T;
    const error = validate.errors?.[0];
    throw invalidField(fieldOf(error), describe(error), code);
  };
}

/** `/availableDays/2` → `availableDays[2]`; a missing or unknown property names itself. */
function fieldOf(error: ErrorObject | undefined): string | undefined {
  if (!error) return undefined;
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : `${i > 0 ? '.' : ''}${part}`))
    .join('');
  const extra = error.params as { missingProperty?: string; additionalProperty?: string };
  const child = extra.missingProperty ?? extra.additionalProperty;
  return child ? (path ? `${path}.${child}` : child) : path || undefined;
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'The request is invalid';
  const field = fieldOf(error);
  switch (error.keyword) {
    case 'required':
      return `${field} is required`;
    case 'additionalProperties':
      return `${field} is not a recognised field`;
    case 'enum':
      return `${field} must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'type':
      return field ? `${field} ${error.message}` : `The request body ${error.message}`;
    default:
      return `${field ?? 'The request body'} ${error.message}`;
  }
}
