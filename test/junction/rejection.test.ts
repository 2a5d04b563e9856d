import { describeRejection } from '../../src/junction/rejection';
import { parseRetryAfter } from '../../src/junction/retry-after';

test('a 422 detail list yields the field paths without the body prefix', () => {
  const body = {
    detail: [
      { loc: ['body', 'patient_address', 'zip'], msg: "String should match pattern '^\\d{5}(-\\d{4})?$'", type: 'value_error', input: '8500' },
      { loc: ['body', 'order_set', 'lab_test_ids', 0], msg: 'Lab test not found', type: 'value_error' },
      { loc: ['body', 'patient_address', 'zip'], msg: 'again', type: 'value_error' },
    ],
  };
  expect(describeRejection(body)).toEqual({ fields: ['patient_address.zip', 'order_set.lab_test_ids.0'] });
});

test('a location part that is not an identifier is left out with its field', () => {
  expect(describeRejection({ detail: [{ loc: ['body', 'Jane Doe <jane@example.com>'], msg: 'x' }] })).toEqual({ fields: [] });
});

test('a 400 message yields only the request fields it names, never its text', () => {
  expect(describeRejection({ detail: 'collection_method must be set if add_on is set' })).toEqual({ fields: ['add_on', 'collection_method'] });
  expect(describeRejection({ error: 'Bad Request', message: 'Transition from current_status to cancelled is not allowed', status_code: 400 })).toEqual({
    fields: [],
  });
});

test('a 400 conflict body yields its error type as a code', () => {
  const body = { detail: { error_type: 'client_user_id_already_exists', error_message: 'exists', user_id: 'u', created_on: 't' } };
  expect(describeRejection(body)).toEqual({ fields: [], code: 'client_user_id_already_exists' });
  expect(describeRejection({ detail: { error_type: 'has spaces and text' } })).toEqual({ fields: [], code: undefined });
});

test('a body that is not JSON or has no detail yields nothing', () => {
  expect(describeRejection(undefined)).toEqual({ fields: [] });
  expect(describeRejection(['x'])).toEqual({ fields: [] });
});

test('Retry-After reads delay-seconds and HTTP dates', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  expect(parseRetryAfter('3', now)).toBe(3000);
  expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  expect(parseRetryAfter('soon', now)).toBeUndefined();
  expect(parseRetryAfter(null, now)).toBeUndefined();
});
