import { allOk, created, outcomeWithIssues } from '../problems/outcomes';
import type { StoredVersion } from '../store/rows';
import type { FhirResult } from './request';
import type { WrittenVersion } from './service';

/**
 * The result of a write — 201 or 200 — whose OperationOutcome (`Prefer: return=OperationOutcome`)
 * also carries the warnings validation noted, such as a profile claim the server cannot check.
 */
export function writeResult(version: StoredVersion | WrittenVersion, isNew: boolean): FhirResult {
  const base = isNew ? created() : allOk();
  const warnings = 'issues' in version ? version.issues : [];
  const outcome = warnings.length === 0 ? base : outcomeWithIssues(base.kind, [...(base.resource.issue ?? []), ...warnings]);
  return { outcome, resource: version.resource, version };
}
