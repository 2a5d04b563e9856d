import type { StoredVersion } from '../../store/rows';
import type { Access, ServiceHooks } from '../access';
import type { AccessRecord, AuditAgent } from './audit-event';

/** Accesses that touch stored data; `$validate` reads nothing stored. */
const audited = (access: Access): boolean => access.kind !== 'validate';

const referenceOf = (v: StoredVersion): string => `${v.resourceType}/${v.id}`;

/** An access that names an instance is about that instance (however many of its versions it returned); else about what it returned. */
const referencesOf = (access: Access, versions: readonly StoredVersion[]): string[] =>
  access.id !== undefined ? [`${access.resourceType}/${access.id}`] : versions.map(referenceOf);

/**
 * Records every access of one request — committed ones with the resources they returned or
 * wrote, failed ones with what they named — into `sink`, which must not block.
 */
export function auditHook(caller: { agent: AuditAgent; requestId: string }, sink: (record: AccessRecord) => void): ServiceHooks {
  const record = (access: Access, succeeded: boolean, references: string[]): void => {
    if (audited(access)) sink({ access, agent: caller.agent, requestId: caller.requestId, succeeded, references });
  };
  return {
    afterCommit: (access, versions) => record(access, true, referencesOf(access, versions)),
    failed: (access) => record(access, false, access.id ? [`${access.resourceType}/${access.id}`] : []),
  };
}
