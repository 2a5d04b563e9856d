/**
 * SMART App Launch v2 scopes (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
 * `<context>/<Type|*>.<permissions>`, permissions a subset of `cruds` in that order; the v1
 * forms `.read` (= rs), `.write` (= cud) and `.*` (= cruds) are accepted too. `user/` and
 * `patient/` scopes are read like `system/` ones: this server has no user or patient launch
 * context, so a key's tenant bounds what any of them reaches (docs/security.md).
 * `admin` manages tenants and keys.
 */
export type ScopeLetter = 'c' | 'r' | 'u' | 'd' | 's';

export interface Grant {
  context: 'system' | 'user' | 'patient';
  /** A resource type, or `*` for all. */
  resourceType: string;
  letters: ReadonlySet<ScopeLetter>;
}

export interface Grants {
  grants: readonly Grant[];
  admin: boolean;
  /** The scopes as granted, normalized, for display. */
  scopes: readonly string[];
}

export class ScopeError extends Error {
  override readonly name = 'ScopeError';
}

/** Every permission: what BOOTSTRAP_API_KEY gets. */
export const ALL_SCOPES = ['system/*.cruds', 'admin'] as const;

const ORDER: readonly ScopeLetter[] = ['c', 'r', 'u', 'd', 's'];
const V1_PERMISSIONS: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };
const SCOPE = /^(system|user|patient)\/(\*|[A-Z][A-Za-z]{0,63})\.([a-z*]{1,5})$/;

/** Parses scopes (a space-separated string or a list); a malformed one throws naming it. */
export function parseScopes(input: string | readonly string[]): Grants {
  const scopes = (typeof input === 'string' ? input.split(' ') : [...input]).map((s) => s.trim()).filter(Boolean);
  const grants: Grant[] = [];
  let admin = false;
  for (const scope of scopes) {
    if (scope === 'admin') {
      admin = true;
      continue;
    }
    const m = SCOPE.exec(scope);
    const letters = m?.[3] === undefined ? undefined : lettersOf(V1_PERMISSIONS[m[3]] ?? m[3]);
    if (!m || !letters) throw new ScopeError(`"${scope.slice(0, 80)}" is not a scope: use system/<Type|*>.<cruds>, .read, .write, .* or admin`);
    grants.push({ context: m[1] as Grant['context'], resourceType: m[2] as string, letters });
  }
  return { grants, admin, scopes: [...new Set(scopes)] };
}

/** SMART v2 permissions are a subset of `cruds`, each once and in that order. */
function lettersOf(permissions: string): ReadonlySet<ScopeLetter> | undefined {
  let at = 0;
  const letters = new Set<ScopeLetter>();
  for (const ch of permissions) {
    const index = ORDER.indexOf(ch as ScopeLetter);
    if (index < at) return undefined;
    letters.add(ch as ScopeLetter);
    at = index + 1;
  }
  return letters;
}

/** Whether the grants permit `letter` on `resourceType`. */
export function allows(grants: Grants, resourceType: string, letter: ScopeLetter): boolean {
  return grants.grants.some((g) => (g.resourceType === '*' || g.resourceType === resourceType) && g.letters.has(letter));
}
