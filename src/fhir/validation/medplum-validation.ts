import { OperationOutcomeError as MedplumOutcomeError, isDataTypeLoaded, loadDataType, validateResource, validateTypedValue } from '@medplum/core';
import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { planExtensions } from './known-extensions';
import { isProvenValidBase } from './proven-valid';

/*
 * Every call into medplum's validator goes through here. It returns all issues (errors and
 * warnings) whether medplum returned or threw them: medplum's error class never leaves.
 */

/**
 * Base R4: structure, cardinality, primitive formats, invariants. A resource the walk of its
 * members proves valid has no issue to report (callers act on errors only); any other is
 * validated by medplum, which names every issue, with extensions already seen valid left out.
 */
export function validateBase(resource: Resource): OperationOutcomeIssue[] {
  return isProvenValidBase(resource as unknown as Record<string, unknown>) ? [] : medplumBaseIssues(resource);
}

/** Base R4 by medplum's validator, for a resource the walk did not prove valid. */
export function medplumBaseIssues(resource: Resource): OperationOutcomeIssue[] {
  const extensions = planExtensions(resource as unknown as Record<string, unknown>);
  const issues = medplumIssues(() => validateResource(extensions.toValidate as unknown as Resource));
  extensions.learn(issues);
  return issues;
}

/**
 * Indexes one of our StructureDefinitions (with snapshot) for `validateAgainst`. medplum
 * re-parses a StructureDefinition passed as `{ profile }` on every call (~3 ms for a resource
 * profile); a definition whose `type` is an absolute URL is instead kept parsed in its type
 * table (as for logical models), and values of that type are validated against it.
 */
export function indexForValidation(sd: StructureDefinition): void {
  loadDataType({ ...sd, type: sd.url });
}

/** Validates a resource or an extension against one of our StructureDefinitions. */
export function validateAgainst(sd: StructureDefinition, value: object): OperationOutcomeIssue[] {
  if (isDataTypeLoaded(sd.url)) return medplumIssues(() => validateTypedValue({ type: sd.url, value }));
  return medplumIssues(() => validateTypedValue({ type: sd.type, value }, { profile: sd }));
}

function medplumIssues(run: () => OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  try {
    return run();
  } catch (err) {
    if (err instanceof MedplumOutcomeError) return err.outcome.issue ?? [];
    throw err;
  }
}
