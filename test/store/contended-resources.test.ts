import { ContendedResources } from '../../src/store/contended-resources';

test('a resource marked as contended is remembered for a while, then forgotten', async () => {
  const contended = new ContendedResources(40);
  contended.mark('t/Patient/a');
  expect(contended.has('t/Patient/a')).toBe(true);
  expect(contended.has('t/Patient/b')).toBe(false);
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(contended.has('t/Patient/a')).toBe(false);
});

test('past its capacity the oldest mark goes first; marking again makes one the newest', () => {
  const contended = new ContendedResources(60_000, 2);
  contended.mark('a');
  contended.mark('b');
  contended.mark('a');
  contended.mark('c');
  expect([contended.has('a'), contended.has('b'), contended.has('c')]).toEqual([true, false, true]);
});
