import { LatestVersions } from '../../src/store/latest-versions';

const version = (n: number) => ({ version_id: n, last_updated: new Date(n), created_at: new Date(0), deleted: false });

test('holds at most two generations: the oldest go once the newer generation fills again', () => {
  const latest = new LatestVersions(3);
  for (const n of [1, 2, 3, 4, 5, 6, 7]) latest.remember(`Patient/${n}`, version(n));
  expect([1, 2, 3].map((n) => latest.holds(`Patient/${n}`))).toEqual([false, false, false]);
  expect([4, 5, 6, 7].map((n) => latest.recall(`Patient/${n}`)?.version_id)).toEqual([4, 5, 6, 7]);
});

test('a resource written again answers its latest version, wherever the earlier one is kept', () => {
  const latest = new LatestVersions(2);
  latest.remember('Patient/a', version(1));
  latest.remember('Patient/b', version(1));
  latest.remember('Patient/a', version(2));
  expect(latest.recall('Patient/a')?.version_id).toBe(2);
  latest.forget('Patient/a');
  expect(latest.holds('Patient/a')).toBe(false);
  expect(latest.recall('Patient/b')?.version_id).toBe(1);
});
