import { ALL_SCOPES, allows, parseScopes, ScopeError, type ScopeLetter } from '../../src/auth/scopes';

const LETTERS: ScopeLetter[] = ['c', 'r', 'u', 'd', 's'];

/** Every non-empty subset of cruds, letters in cruds order. */
const inOrderSubsets = Array.from({ length: 31 }, (_, n) => LETTERS.filter((_l, i) => (n + 1) & (1 << i)).join(''));

describe('SMART v2 permissions', () => {
  test.each(inOrderSubsets)('system/Patient.%s grants exactly those letters', (permissions) => {
    const grants = parseScopes(`system/Patient.${permissions}`);
    for (const letter of LETTERS) expect(allows(grants, 'Patient', letter)).toBe(permissions.includes(letter));
  });

  test.each(['rc', 'sr', 'dc', 'sc', 'cursd', 'rr', 'cc', 'crudss', 'x', 'R', 'c*'])(
    'system/Patient.%s is malformed (out of order, repeated or unknown)',
    (permissions) => {
      expect(() => parseScopes(`system/Patient.${permissions}`)).toThrow(ScopeError);
    },
  );
});

describe('SMART v1 forms', () => {
  test.each([
    ['read', 'rs'],
    ['write', 'cud'],
    ['*', 'cruds'],
  ])('.%s means .%s', (v1, v2) => {
    const grants = parseScopes(`system/Observation.${v1}`);
    for (const letter of LETTERS) expect(allows(grants, 'Observation', letter)).toBe(v2.includes(letter));
  });
});

describe('contexts, types and wildcards', () => {
  test.each(['system', 'user', 'patient'])('%s/ scopes grant like system/ ones (the tenant bounds them)', (context) => {
    const grants = parseScopes(`${context}/Patient.rs`);
    expect(grants.grants).toEqual([{ context, resourceType: 'Patient', letters: new Set(['r', 's']) }]);
    expect(allows(grants, 'Patient', 'r')).toBe(true);
    expect(allows(grants, 'Patient', 'c')).toBe(false);
  });

  test('a type scope grants that type only; * grants every type', () => {
    const grants = parseScopes('system/Patient.r system/*.s');
    expect(allows(grants, 'Patient', 'r')).toBe(true);
    expect(allows(grants, 'Practitioner', 'r')).toBe(false);
    expect(allows(grants, 'Practitioner', 's')).toBe(true);
  });

  test('system/AuditEvent.rs reads the audit trail and nothing else', () => {
    const grants = parseScopes('system/AuditEvent.rs');
    expect(allows(grants, 'AuditEvent', 'r')).toBe(true);
    expect(allows(grants, 'AuditEvent', 's')).toBe(true);
    expect(allows(grants, 'AuditEvent', 'c')).toBe(false);
    expect(allows(grants, 'Patient', 'r')).toBe(false);
  });

  test.each([
    'system/patient.rs',
    'Patient.rs',
    'system/Patient',
    'system/Patient.',
    'bogus/Patient.rs',
    '*/Patient.rs',
    'system/Patient.rs?category=laboratory',
    'system/**.rs',
    'admin2',
    'ADMIN',
  ])('%s is malformed', (scope) => {
    expect(() => parseScopes(scope)).toThrow(ScopeError);
  });
});

describe('admin and the bootstrap scopes', () => {
  test('admin grants the admin API and no resource', () => {
    const grants = parseScopes('admin');
    expect(grants.admin).toBe(true);
    expect(allows(grants, 'Patient', 'r')).toBe(false);
  });

  test('ALL_SCOPES grants admin and every letter on every type', () => {
    const grants = parseScopes([...ALL_SCOPES]);
    expect(grants.admin).toBe(true);
    for (const type of ['Patient', 'AuditEvent', 'ServiceRequest']) for (const letter of LETTERS) expect(allows(grants, type, letter)).toBe(true);
  });

  test('resource scopes alone do not grant admin', () => {
    expect(parseScopes('system/*.cruds').admin).toBe(false);
  });
});

describe('input', () => {
  test('a string splits on spaces, extra spaces are ignored, repeats are listed once', () => {
    const grants = parseScopes('  system/Patient.r   system/Patient.r admin ');
    expect(grants.scopes).toEqual(['system/Patient.r', 'admin']);
  });

  test('a list parses like the string', () => {
    expect(parseScopes(['system/Patient.r', 'admin']).scopes).toEqual(parseScopes('system/Patient.r admin').scopes);
  });

  test('nothing grants nothing', () => {
    const grants = parseScopes('');
    expect(grants).toEqual({ grants: [], admin: false, scopes: [] });
  });

  test('the error names the malformed scope, shortened, and says what is valid', () => {
    const long = `system/${'X'.repeat(200)}`;
    expect(() => parseScopes(['system/Patient.r', 'system/Patient.rc'])).toThrow('"system/Patient.rc" is not a scope');
    let message = '';
    try {
      parseScopes(long);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('system/<Type|*>.<cruds>');
    expect(message).not.toContain(long);
  });
});
