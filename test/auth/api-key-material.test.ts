import { API_KEY_PREFIX, generateApiKey, hashApiKey, isPlausibleApiKey } from '../../src/auth/api-key-material';

describe('generateApiKey', () => {
  test('a key is the fhk_ prefix and 256 random bits in base64url', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^fhk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(API_KEY_PREFIX.length), 'base64url')).toHaveLength(32);
  });

  test('no two keys are alike', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
  });

  test('a generated key is a plausible key', () => {
    expect(isPlausibleApiKey(generateApiKey())).toBe(true);
  });
});

describe('hashApiKey', () => {
  test('is 64 hex digits, the same for the same key and pepper', () => {
    const key = generateApiKey();
    expect(hashApiKey(key, 'pepper')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key, 'pepper')).toBe(hashApiKey(key, 'pepper'));
  });

  test('depends on the pepper, so a stolen table cannot check keys without it', () => {
    const key = generateApiKey();
    expect(hashApiKey(key, 'pepper-a')).not.toBe(hashApiKey(key, 'pepper-b'));
  });

  test('differs between keys and never contains the key', () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    expect(hashApiKey(a, 'p')).not.toBe(hashApiKey(b, 'p'));
    expect(hashApiKey(a, 'p')).not.toContain(a.slice(API_KEY_PREFIX.length));
  });
});

describe('isPlausibleApiKey', () => {
  test.each([
    ['16 printable characters', 'a'.repeat(16), true],
    ['256 printable characters', 'a'.repeat(256), true],
    ['a hand-made bootstrap key without the prefix', 'my-bootstrap-secret-2024', true],
    ['15 characters', 'a'.repeat(15), false],
    ['257 characters', 'a'.repeat(257), false],
    ['the empty string', '', false],
    ['a space inside', 'fhk_abcdefgh ijklmnop', false],
    ['a control character', 'fhk_abcdefghijklmnop\n', false],
    ['a non-ASCII letter', 'fhk_abcdéfghijklmnop', false],
  ])('%s: %s', (_what, value, plausible) => {
    expect(isPlausibleApiKey(value)).toBe(plausible);
  });
});
