import { preparedStatement } from '../../src/store/prepared-query';

test('a statement gets $n placeholders for its ? ones', () => {
  expect(preparedStatement('test_placeholders', 'SELECT ? + ?').text).toBe('SELECT $1 + $2');
});

test('a name stands for one statement: the same statement again is fine, another is refused, naming it', () => {
  preparedStatement('test_one_name', 'SELECT 1');
  expect(() => preparedStatement('test_one_name', 'SELECT 1')).not.toThrow();
  expect(() => preparedStatement('test_one_name', 'SELECT 2')).toThrow('prepared statement name test_one_name is taken by another statement');
});
