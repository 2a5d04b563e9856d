import { canAdvance, isTerminalStatus, parseOrderStatus, statusRank } from '../../src/junction/status';

test('a status parses into high level, modality and low level', () => {
  expect(parseOrderStatus('collecting_sample.walk_in_test.appointment_scheduled')).toEqual({
    high: 'collecting_sample',
    modality: 'walk_in_test',
    low: 'appointment_scheduled',
  });
});

test('a value without three non-empty parts does not parse', () => {
  for (const value of ['received', 'received.testkit', 'received..ordered', 'a.b.c.d', '']) expect(parseOrderStatus(value)).toBeUndefined();
});

test('unknown values parse; an unknown high level has no rank', () => {
  const status = parseOrderStatus('on_hold.drone_delivery.waiting');
  expect(status).toBeDefined();
  expect(status && statusRank(status)).toBeUndefined();
  expect(status && isTerminalStatus(status)).toBe(false);
});

test('statuses move forward: received < collecting_sample < sample_with_lab < completed', () => {
  const path = [
    'received.testkit.ordered',
    'received.testkit.requisition_created',
    'collecting_sample.testkit.transit_customer',
    'sample_with_lab.testkit.delivered_to_lab',
    'completed.testkit.completed',
  ];
  path.slice(1).forEach((next, i) => expect(canAdvance(path[i], next)).toBe(true));
  path.slice(0, -1).forEach((earlier, i) => expect(canAdvance(path[i + 1], earlier)).toBe(false));
});

test('an order never goes back to ordered, but moves between statuses of one high level', () => {
  expect(canAdvance('received.walk_in_test.requisition_created', 'received.walk_in_test.ordered')).toBe(false);
  expect(canAdvance('collecting_sample.walk_in_test.appointment_scheduled', 'collecting_sample.walk_in_test.appointment_cancelled')).toBe(true);
});

test('terminal statuses never move, except a completed report being corrected', () => {
  expect(canAdvance('cancelled.walk_in_test.cancelled', 'completed.walk_in_test.completed')).toBe(false);
  expect(canAdvance('failed.testkit.sample_error', 'received.testkit.ordered')).toBe(false);
  expect(canAdvance('completed.testkit.completed', 'cancelled.testkit.cancelled')).toBe(false);
  expect(canAdvance('completed.testkit.completed', 'completed.testkit.corrected')).toBe(true);
  expect(canAdvance('completed.testkit.corrected', 'completed.testkit.completed')).toBe(false);
});

test('the same status again, an unknown high level or a malformed value is not a move', () => {
  expect(canAdvance('received.testkit.ordered', 'received.testkit.ordered')).toBe(false);
  expect(canAdvance('received.testkit.ordered', 'on_hold.testkit.waiting')).toBe(false);
  expect(canAdvance('received.testkit.ordered', 'completed')).toBe(false);
});

test('the first status of an order is accepted, an unknown low level ranked by its high level', () => {
  expect(canAdvance(undefined, 'received.testkit.ordered')).toBe(true);
  expect(canAdvance('received.testkit.ordered', 'sample_with_lab.testkit.some_new_low_level')).toBe(true);
});
