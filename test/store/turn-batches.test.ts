import { batchesOfOneTurn, type Pending } from '../../src/store/turn-batches';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** A batcher whose batches end only when the test ends them, each piece answered with its batch's number. */
function heldBatcher(options: { limit: number; inFlight?: number }) {
  const sent: { key: string; inputs: number[]; end(): void }[] = [];
  const add = batchesOfOneTurn<number, number>({
    ...options,
    send: (_db, key, batch: Pending<number, number>[]) =>
      new Promise<void>((end) => {
        const number = sent.length;
        sent.push({
          key,
          inputs: batch.map((p) => p.input),
          end: () => {
            for (const p of batch) p.resolve(number);
            end();
          },
        });
      }),
  });
  return { sent, add };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('the pieces of one turn go as one batch per key, at most `limit` each', async () => {
  const { sent, add } = heldBatcher({ limit: 3 });
  const answers = [1, 2, 3, 4].map((n) => add(t.knex, 'a', n));
  const other = add(t.knex, 'b', 5);
  expect(sent).toEqual([]);
  await nextTurn();
  expect(sent.map(({ key, inputs }) => [key, inputs])).toEqual([
    ['a', [1, 2, 3]],
    ['b', [5]],
  ]);
  await nextTurn();
  expect(sent.map(({ inputs }) => inputs)).toEqual([[1, 2, 3], [5], [4]]);
  for (const batch of sent) batch.end();
  expect(await Promise.all([...answers, other])).toEqual([0, 0, 0, 2, 1]);
});

test('with `inFlight`, what arrives while the bound is reached waits and goes together when a batch ends', async () => {
  const { sent, add } = heldBatcher({ limit: 100, inFlight: 1 });
  const first = add(t.knex, 'a', 1);
  await nextTurn();
  const later = [2, 3].map((n) => add(t.knex, 'a', n));
  await nextTurn();
  const last = add(t.knex, 'a', 4);
  await nextTurn();
  expect(sent.map(({ inputs }) => inputs)).toEqual([[1]]);
  sent[0]!.end();
  expect(await first).toBe(0);
  expect(sent.map(({ inputs }) => inputs)).toEqual([[1], [2, 3, 4]]);
  sent[1]!.end();
  expect(await Promise.all([...later, last])).toEqual([1, 1, 1]);
  // Nothing in flight: the next piece goes at the end of its turn.
  const alone = add(t.knex, 'a', 5);
  await nextTurn();
  expect(sent.map(({ inputs }) => inputs)).toEqual([[1], [2, 3, 4], [5]]);
  sent[2]!.end();
  expect(await alone).toBe(2);
});
