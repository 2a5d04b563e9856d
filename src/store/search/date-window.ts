import type { IndexValue } from './query';

type DateValue = Extract<IndexValue, { type: 'date' }>;

/** Instants a stored range must overlap; null = unbounded on that side. */
export interface DateWindow {
  from: string | null;
  to: string | null;
}

const UNBOUNDED: DateWindow = { from: null, to: null };

/** What a stored range [low, high] must overlap to meet one prefixed value (a necessary condition, not the match itself). */
function windowOf(value: DateValue): DateWindow {
  switch (value.prefix) {
    case 'eq':
    case 'ap':
      return { from: value.low, to: value.high };
    case 'gt':
    case 'sa':
      return { from: value.high, to: null };
    case 'ge':
      return { from: value.low, to: null };
    case 'lt':
    case 'eb':
      return { from: null, to: value.low };
    case 'le':
      return { from: null, to: value.high };
    case 'ne':
      return UNBOUNDED;
  }
}

const earlier = (a: string | null, b: string | null, unbounded: 'first' | 'last'): string | null => {
  if (a === null || b === null) return unbounded === 'first' ? null : (a ?? b);
  return Date.parse(a) <= Date.parse(b) ? a : b;
};
const later = (a: string | null, b: string | null, unbounded: 'first' | 'last'): string | null => {
  if (a === null || b === null) return unbounded === 'last' ? null : (a ?? b);
  return Date.parse(a) >= Date.parse(b) ? a : b;
};

/**
 * The window one index row must overlap to meet a value of every group (each group ORs its
 * values, the groups are ANDed): the hull of each group, intersected.
 */
export function windowOfGroups(groups: IndexValue[][]): DateWindow {
  let window = UNBOUNDED;
  for (const group of groups) {
    const windows = group.map((value) => (value.type === 'date' ? windowOf(value) : UNBOUNDED));
    const hull = windows.reduce((a, b) => ({ from: earlier(a.from, b.from, 'first'), to: later(a.to, b.to, 'last') }));
    window = { from: later(window.from, hull.from, 'first'), to: earlier(window.to, hull.to, 'last') };
  }
  return window;
}
