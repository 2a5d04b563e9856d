import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from './profile-rules';

/** Names every JavaScript object answers to (`constructor`, `toString`, `__proto__`, …); no FHIR element has one. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Elements named like Object.prototype members, which a validator looking names up in a plain
 * object would take for known elements (or call): reported as the unknown elements they are.
 */
export function checkInheritedNames(value: unknown, path: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  visit(value, path, issues);
  return issues;
}

function visit(value: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`, issues);
    return;
  }
  for (const key of Object.keys(value)) {
    if (INHERITED.has(key)) issues.push(issue(`${path}.${key}`, `Invalid additional property "${key}"`));
    else visit((value as Record<string, unknown>)[key], `${path}.${key}`, issues);
  }
}
