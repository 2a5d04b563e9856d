import type { AccessKind, ServiceHooks } from '../fhir/access';
import { insufficientScope } from '../problems/problem';
import { allows, type Grants, type ScopeLetter } from './scopes';

/** The SMART v2 permission each access needs; `$validate` reads and writes nothing stored. */
const LETTER: Record<AccessKind, ScopeLetter | undefined> = {
  create: 'c',
  read: 'r',
  vread: 'r',
  history: 'r',
  update: 'u',
  patch: 'u',
  delete: 'd',
  search: 's',
  validate: undefined,
  // Bulk Data export reads every resource of a type (system/Type.r, as the IG's .read).
  export: 'r',
};

/**
 * Refuses (403 `insufficient_scope`) every access the caller's scopes do not grant, before any
 * database work, and keeps `_include`d resources to the types the caller may read.
 */
export function scopeHook(grants: Grants): ServiceHooks {
  return {
    before: ({ kind, resourceType }) => {
      const letter = LETTER[kind];
      if (letter === undefined || allows(grants, resourceType, letter)) return;
      const type = resourceType.slice(0, 64);
      throw insufficientScope(`The credentials do not grant ${kind} on ${type} (needs system/${type}.${letter})`);
    },
    mayInclude: (resourceType) => allows(grants, resourceType, 'r'),
  };
}
