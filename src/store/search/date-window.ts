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

const minOf = (a: string, b: string): string => (Date.parse(a) <= Date.parse(b) ? a : b);
const maxOf = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);

/** The smallest window holding both: the earliest start, the latest end; an open side stays open. */
function hull(a: DateWindow, b: DateWindow): DateWindow {
  return {
    from: a.from === null || b.from === null ? null : minOf(a.from, b.from),
    to: a.to === null || b.to === null ? null : maxOf(a.to, b.to),
  };
}

/** What both windows share: the latest start, the earliest end; an open side takes the other's. */
function intersection(a: DateWindow, b: DateWindow): DateWindow {
  return {
    from: a.from === null ? b.from : b.from === null ? a.from : maxOf(a.from, b.from),
    to: a.to === null ? b.to : b.to === null ? a.to : minOf(a.to, b.to),
  };
}

/**
 * The window one index row must overlap to meet a value of every group (each group ORs its
 * values, the groups are ANDed): the hull of each group, intersected.
 */
export function windowOfGroups(groups: IndexValue[][]): DateWindow {
  return groups.map((group) => group.map((value) => (value.type === 'date' ? windowOf(value) : UNBOUNDED)).reduce(hull)).reduce(intersection, UNBOUNDED);
}
