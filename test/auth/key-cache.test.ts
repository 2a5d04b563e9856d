import { KeyCache, type Lookup } from '../../src/auth/key-cache';

type Reason = 'unknown' | 'revoked';
interface Key {
  id: string;
}

/** A clock the test moves, and a source of lookups that counts its loads. */
function setUp(options: { maxEntries?: number } = {}) {
  let now = 1_000_000;
  const cache = new KeyCache<Key, Reason>({ ttlMs: 5000, negativeTtlMs: 1000, now: () => now, ...options });
  const loads: string[] = [];
  const load =
    (hash: string, lookup: Lookup<Key, Reason> = { ok: true, value: { id: `id-${hash}` } }) =>
    async (): Promise<Lookup<Key, Reason>> => {
      loads.push(hash);
      return lookup;
    };
  return { cache, loads, load, advance: (ms: number) => (now += ms) };
}

const missing: Lookup<Key, Reason> = { ok: false, reason: 'unknown' };

test('a found key is loaded once per TTL', async () => {
  const { cache, loads, load, advance } = setUp();
  for (let i = 0; i < 5; i++) expect(await cache.get('h1', load('h1'))).toEqual({ ok: true, value: { id: 'id-h1' } });
  expect(loads).toEqual(['h1']);
  advance(4999);
  await cache.get('h1', load('h1'));
  expect(loads).toHaveLength(1);
  advance(1);
  await cache.get('h1', load('h1'));
  expect(loads).toHaveLength(2);
});

test('a miss is remembered for the shorter negative TTL', async () => {
  const { cache, loads, load, advance } = setUp();
  expect(await cache.get('nope', load('nope', missing))).toEqual(missing);
  await cache.get('nope', load('nope', missing));
  expect(loads).toHaveLength(1);
  advance(1000);
  expect(await cache.get('nope', load('nope'))).toEqual({ ok: true, value: { id: 'id-nope' } });
  expect(loads).toHaveLength(2);
});

test('concurrent requests for one key share one load', async () => {
  const { cache, loads } = setUp();
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow = async (): Promise<Lookup<Key, Reason>> => {
    loads.push('h');
    await gate;
    return { ok: true, value: { id: 'k' } };
  };
  const all = Promise.all(Array.from({ length: 20 }, () => cache.get('h', slow)));
  release();
  expect(await all).toHaveLength(20);
  expect(loads).toHaveLength(1);
});

test('invalidate forgets a key at once', async () => {
  const { cache, loads, load } = setUp();
  await cache.get('h1', load('h1'));
  await cache.get('h2', load('h2'));
  cache.invalidate((key) => key.id === 'id-h1');
  await cache.get('h1', load('h1', { ok: false, reason: 'revoked' }));
  await cache.get('h2', load('h2'));
  expect(loads).toEqual(['h1', 'h2', 'h1']);
});

test('a load under way when a key is invalidated is not cached, and later requests load afresh', async () => {
  const { cache, loads, load } = setUp();
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // The row was read before the revocation committed: the answer is stale.
  const stale = async (): Promise<Lookup<Key, Reason>> => {
    loads.push('stale');
    await gate;
    return { ok: true, value: { id: 'k' } };
  };
  const before = cache.get('h', stale);
  cache.invalidate((key) => key.id === 'k');
  const after = cache.get('h', load('h', { ok: false, reason: 'revoked' }));
  release();
  expect(await before).toEqual({ ok: true, value: { id: 'k' } });
  expect(await after).toEqual({ ok: false, reason: 'revoked' });
  expect(await cache.get('h', load('h'))).toEqual({ ok: false, reason: 'revoked' });
  expect(loads).toEqual(['stale', 'h']);
});

test('a failed load is not cached and reaches every waiter', async () => {
  const { cache, loads, load } = setUp();
  const failing = async (): Promise<Lookup<Key, Reason>> => {
    loads.push('fail');
    throw new Error('database down');
  };
  await expect(Promise.all([cache.get('h', failing), cache.get('h', failing)])).rejects.toThrow('database down');
  expect(await cache.get('h', load('h'))).toEqual({ ok: true, value: { id: 'id-h' } });
  expect(loads).toEqual(['fail', 'h']);
});

test('a flood of unknown keys cannot evict the known ones', async () => {
  const { cache, loads, load } = setUp({ maxEntries: 3 });
  await cache.get('good', load('good'));
  for (let i = 0; i < 10; i++) await cache.get(`bad${i}`, load(`bad${i}`, missing));
  await cache.get('good', load('good'));
  expect(loads.filter((h) => h === 'good')).toHaveLength(1);
  expect(cache.size).toBe(4);
});

test('the least recently used key goes first when full', async () => {
  const { cache, loads, load } = setUp({ maxEntries: 2 });
  await cache.get('a', load('a'));
  await cache.get('b', load('b'));
  await cache.get('a', load('a'));
  await cache.get('c', load('c'));
  await cache.get('a', load('a'));
  await cache.get('b', load('b'));
  expect(loads).toEqual(['a', 'b', 'c', 'b']);
});
