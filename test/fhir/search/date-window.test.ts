import { windowOfGroups } from '../../../src/store/search/date-window';
import type { IndexValue } from '../../../src/store/search/query';

const day = (prefix: Extract<IndexValue, { type: 'date' }>['prefix'], date: string): IndexValue => ({
  type: 'date',
  prefix,
  low: `${date}T00:00:00.000Z`,
  high: `${date}T23:59:59.999Z`,
});

describe('the window a one-value date parameter must overlap', () => {
  test('ANDed values narrow it from both sides', () => {
    expect(windowOfGroups([[day('ge', '1990-01-01')], [day('lt', '1990-02-01')]])).toEqual({
      from: '1990-01-01T00:00:00.000Z',
      to: '1990-02-01T00:00:00.000Z',
    });
  });

  test('ORed values widen it to their hull; an open side stays open', () => {
    expect(windowOfGroups([[day('eq', '1990-01-05'), day('eq', '1980-03-01')]])).toEqual({ from: '1980-03-01T00:00:00.000Z', to: '1990-01-05T23:59:59.999Z' });
    expect(windowOfGroups([[day('lt', '1990-01-01'), day('gt', '2000-01-01')]])).toEqual({ from: null, to: null });
  });

  test('ne bounds nothing; the other criteria still do', () => {
    expect(windowOfGroups([[day('ne', '1990-01-01')], [day('le', '1995-06-30')]])).toEqual({ from: null, to: '1995-06-30T23:59:59.999Z' });
  });
});
