import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from './profile-rules';

/** Names every JavaScript object answers to (`constructor`, `toString`, `__proto__`, …); no FHIR element has one. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Elements named like Object.prototype members, which a validator looking names up in a plain
 * object would take for known elements (or call): reported as the unknown elements they are.
 */
export function checkInheritedNames(value: unknown, path: string): OperationOutcomeIssue[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => checkInheritedNames(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, member]) =>
    INHERITED.has(key) ? [issue(`${path}.${key}`, `Invalid additional property "${key}"`)] : checkInheritedNames(member, `${path}.${key}`),
  );
}
