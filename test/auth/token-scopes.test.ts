import { allows } from '../../src/auth/scopes';
import { grantsOfToken } from '../../src/auth/token-scopes';

test('the SMART scopes of a token count; scopes meant for others are ignored', () => {
  const grants = grantsOfToken('openid profile email offline_access launch/patient fhirUser system/Patient.rs', { admin: false });
  expect(grants.scopes).toEqual(['system/Patient.rs']);
  expect(allows(grants, 'Patient', 's')).toBe(true);
});

test('out-of-order and repeated permissions grant nothing, rather than refusing the token', () => {
  const grants = grantsOfToken('system/Patient.rc system/Practitioner.rr system/Location.r', { admin: false });
  expect(grants.scopes).toEqual(['system/Location.r']);
  expect(allows(grants, 'Patient', 'r')).toBe(false);
});

test('a scope narrowed by search parameters is ignored, never granted unnarrowed', () => {
  const grants = grantsOfToken('system/Observation.rs?category=laboratory', { admin: false });
  expect(allows(grants, 'Observation', 'r')).toBe(false);
});

test('admin counts only when allowed', () => {
  expect(grantsOfToken('admin system/*.rs', { admin: false }).admin).toBe(false);
  expect(grantsOfToken('admin system/*.rs', { admin: true }).admin).toBe(true);
});

test('an empty or missing scope grants nothing', () => {
  expect(grantsOfToken('', { admin: true })).toEqual({ grants: [], admin: false, scopes: [] });
});
