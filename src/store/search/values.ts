import { INDEXED_PREFIX_CHARS } from '../../../migrations/009_bounded_index_keys';
import type { IndexValue, Prefix } from './query';
import { allOf, anyOf, fragment, type SqlFragment } from '../sql-fragment';
import { containsPair, isCharacterPair } from './character-pairs';

/** `%`, `_` and `\` are LIKE wildcards/escape in PostgreSQL; search text matches them literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Equality the index serves: its key is a bounded prefix of the value. A value shorter than the
 * prefix equals the key only when the whole value does, so only a longer one is compared again —
 * a second, redundant condition would have the planner square its selectivity and, taking a
 * broad match for a rare one, sort every match to return a page.
 */
function valueIs(column: string, value: string): SqlFragment {
  const key = fragment(`left(${column}, ${INDEXED_PREFIX_CHARS}) = left(?, ${INDEXED_PREFIX_CHARS})`, value);
  // UTF-16 length ≥ characters: a shorter JavaScript string is surely shorter in characters.
  return value.length >= INDEXED_PREFIX_CHARS ? allOf([key, fragment(`${column} = ?`, value)]) : key;
}

/**
 * The least text above every text that starts with `prefix` in the order of `text_pattern_ops`
 * (UTF-8 bytes, which is code point order): the prefix with its last code point raised by one,
 * past the surrogates, which no text holds. None for an empty prefix or one of U+10FFFF alone.
 */
function prefixCeiling(prefix: string): string | undefined {
  // A lone surrogate reaches PostgreSQL as U+FFFD (the driver encodes UTF-8): bound what it sees.
  const points = Array.from(prefix.replace(/\p{Surrogate}/gu, '\uFFFD'));
  for (let last = points.pop(); last !== undefined; last = points.pop()) {
    const next = (last.codePointAt(0) ?? 0) + 1;
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next === 0xd800 ? 0xe000 : next);
  }
  return undefined;
}

/**
 * A prefix match the pattern index serves: on the bounded key column (the value's first
 * INDEXED_PREFIX_CHARS characters, migration 018), then, for a longer prefix, on the whole value.
 * The key is bounded by a range rather than a `LIKE`: a range of bound values is index bounds in a
 * plan made for any value, so the search runs as a prepared statement (a pattern's prefix becomes
 * index bounds only when the planner sees the pattern).
 */
function valueStartsWith(keyColumn: string, column: string, prefix: string, bound: BoundPlaceholder): SqlFragment {
  const key = prefix.slice(0, INDEXED_PREFIX_CHARS);
  const ceiling = prefixCeiling(key);
  return allOf([
    fragment(`${keyColumn} ~>=~ ${bound('text')}`, key),
    ...(ceiling === undefined ? [] : [fragment(`${keyColumn} ~<~ ${bound('text')}`, ceiling)]),
    ...(prefix.length > INDEXED_PREFIX_CHARS ? [fragment(`${column} LIKE ?`, `${escapeLike(prefix)}%`)] : []),
  ]);
}

/**
 * The placeholder of a range's bound (a date, a string prefix's ends): `?`, planned for its
 * value, or in a statement prepared for any value one the planner cannot see (`unseenValue`).
 */
export type BoundPlaceholder = (type: 'text' | 'text[]' | 'timestamptz') => string;
export const seenBound: BoundPlaceholder = (type) => `?::${type}`;

/** A value compared by plain equality on one column, under conditions (`scope`) that values of one `key` share. */
interface ListedValue {
  key: string;
  scope: SqlFragment[];
  column: string;
  item: string;
}

/** The value as an item of a list, when it is a plain equality on one column: a token's code, a reference's id. */
function listedValue(s: string, value: IndexValue): ListedValue | undefined {
  // Shorter than the index key, a code is its own key (`valueIs`).
  if (value.type === 'token' && value.code !== undefined && value.code.length < INDEXED_PREFIX_CHARS)
    return {
      key: `token ${JSON.stringify(value.system)}`,
      scope: systemIs(`${s}.system`, value.system),
      column: `left(${s}.value, ${INDEXED_PREFIX_CHARS})`,
      item: value.code,
    };
  if (value.type === 'reference' && value.reference === undefined && typeof value.id === 'string') {
    const scope = value.targetType !== undefined ? [fragment(`${s}.target_type = ?`, value.targetType)] : [];
    return { key: `reference ${JSON.stringify(value.targetType)}`, scope, column: `${s}.target_id`, item: value.id };
  }
  return undefined;
}

interface ValueList {
  first: IndexValue;
  listed: ListedValue;
  items: string[];
}

/**
 * Index rows (alias `s`) matching any of the values. Two or more plain equalities on one column
 * under the same conditions (codes of one system, ids of one target type) are one `= ANY` of an
 * array: the statement's text is then the same however many values a client sends — one
 * prepared statement, where each count of values was a statement of its own.
 */
export function anyValueCondition(s: string, values: readonly IndexValue[], bound: BoundPlaceholder, pairIndex?: PairIndex): SqlFragment {
  const lists = new Map<string, ValueList>();
  const branches: (IndexValue | ValueList)[] = [];
  for (const value of values) {
    const listed = listedValue(s, value);
    const list = listed && lists.get(listed.key);
    if (list) list.items.push(listed.item);
    else if (listed) {
      const made = { first: value, listed, items: [listed.item] };
      lists.set(listed.key, made);
      branches.push(made);
    } else branches.push(value);
  }
  return anyOf(branches.map((branch) => ('listed' in branch ? listCondition(s, branch, bound) : valueCondition(s, branch, bound, pairIndex))));
}

/** A list of one value as that value alone; of more, `= ANY` (cast again: an unseen value is a sub-select, which `ANY (…)` reads as rows). */
function listCondition(s: string, { first, listed, items }: ValueList, bound: BoundPlaceholder): SqlFragment {
  if (items.length === 1) return valueCondition(s, first, bound);
  return allOf([...listed.scope, fragment(`${listed.column} = ANY (${bound('text[]')}::text[])`, items)]);
}

/** A token's system: any (undefined), none (null), or this one. */
function systemIs(column: string, system: string | null | undefined): SqlFragment[] {
  if (system === undefined) return [];
  return [system === null ? fragment(`${column} IS NULL`) : fragment(`${column} = ?`, system)];
}

/**
 * The rows are indexed by their pairs of characters (`indexedByPairs`), where a contained text of
 * two characters is found: what a statement must also hold for that index to be read (its
 * partial predicate as constants, or nothing where the statement's text holds it already).
 */
export type PairIndex = readonly SqlFragment[];

/**
 * Index rows (alias `s`) matching one value, a contained text of two characters through the
 * rows' pair index where they have one. https://hl7.org/fhir/R4/search.html
 */
export function valueCondition(s: string, value: IndexValue, bound: BoundPlaceholder, pairIndex?: PairIndex): SqlFragment {
  switch (value.type) {
    case 'string':
      // `exact`: through the prefix index (its key equal to the folded text), then the original compared.
      if (value.match === 'exact')
        return allOf([fragment(`${s}.value_key = left(?, ${INDEXED_PREFIX_CHARS})`, value.folded), fragment(`${s}.exact = ?`, value.text)]);
      if (value.match === 'contains') return containedText(`${s}.value`, value.text, pairIndex);
      return valueStartsWith(`${s}.value_key`, `${s}.value`, value.text, bound);
    case 'token':
      return allOf([...systemIs(`${s}.system`, value.system), ...(value.code !== undefined ? [valueIs(`${s}.value`, value.code)] : [])]);
    case 'tokenSubstring':
      return containedText(`lower(${s}.value)`, value.text, pairIndex);
    case 'tokenText':
      return fragment(`${s}.text LIKE ?`, `${escapeLike(value.text)}%`);
    case 'reference':
      return allOf([
        ...(value.reference !== undefined ? [fragment(`${s}.reference = ?`, value.reference)] : []),
        ...(value.id === null ? [fragment(`${s}.target_id IS NULL`)] : value.id !== undefined ? [fragment(`${s}.target_id = ?`, value.id)] : []),
        ...(value.targetType !== undefined ? [fragment(`${s}.target_type = ?`, value.targetType)] : []),
      ]);
    case 'referenceIdentifier':
      return allOf([
        fragment(`${s}.identifier_value IS NOT NULL`),
        ...systemIs(`${s}.identifier_system`, value.system),
        ...(value.value !== undefined ? [valueIs(`${s}.identifier_value`, value.value)] : []),
      ]);
    case 'date':
      return dateRangeCondition(`${s}.low`, `${s}.high`, value, bound);
    case 'number':
      return numberCondition(`${s}.value`, value);
    case 'uri':
      if (value.match === 'exact') return valueIs(`${s}.value`, value.uri);
      if (value.match === 'below') return fragment(`${s}.value LIKE ?`, `${escapeLike(value.uri)}%`);
      return fragment(`left(?, length(${s}.value)) = ${s}.value`, value.uri);
  }
}

/** Rows whose `expression` contains the text: through its pairs of characters where they are indexed and it is one, else as a pattern. */
function containedText(expression: string, text: string, pairIndex: PairIndex | undefined): SqlFragment {
  if (pairIndex && isCharacterPair(text)) return allOf([...pairIndex, containsPair(expression, text)]);
  return fragment(`${expression} LIKE ?`, `%${escapeLike(text)}%`);
}

/**
 * Compares a stored range [low, high] with the search range by prefix.
 * https://hl7.org/fhir/R4/search.html#prefix — `ap` is taken as "the ranges overlap".
 * Since low <= high, eq and le also bound `low` from above, and ge bounds `high` from below:
 * redundant for the result, but it gives each an index range instead of half the table.
 */
export function dateRangeCondition(low: string, high: string, value: { prefix: Prefix; low: string; high: string }, bound: BoundPlaceholder): SqlFragment {
  const compare = (column: string, operator: string, at: string): SqlFragment => fragment(`${column} ${operator} ${bound('timestamptz')}`, at);
  const within = allOf([compare(low, '>=', value.low), compare(high, '<=', value.high)]);
  switch (value.prefix) {
    case 'eq':
      return allOf([within, compare(low, '<=', value.high)]);
    case 'ne':
      return fragment(`NOT (${within.sql})`, ...within.bindings);
    case 'gt':
      return compare(high, '>', value.high);
    case 'lt':
      return compare(low, '<', value.low);
    case 'ge':
      return allOf([compare(high, '>=', value.low), anyOf([compare(high, '>', value.high), within])]);
    case 'le':
      return allOf([compare(low, '<=', value.high), anyOf([compare(low, '<', value.low), within])]);
    case 'sa':
      return compare(low, '>', value.high);
    case 'eb':
      return compare(high, '<', value.low);
    case 'ap':
      return allOf([compare(low, '<=', value.high), compare(high, '>=', value.low)]);
  }
}

/** https://hl7.org/fhir/R4/search.html#number — eq/ne honour the value's precision, ap is ±10%. */
function numberCondition(column: string, value: { prefix: Prefix; value: string; half: string }): SqlFragment {
  const ops: Partial<Record<Prefix, string>> = { gt: '>', lt: '<', ge: '>=', le: '<=', sa: '>', eb: '<' };
  const op = ops[value.prefix];
  if (op) return fragment(`${column} ${op} ?::numeric`, value.value);
  const margin = value.prefix === 'ap' ? 'abs(?::numeric) * 0.1' : '?::numeric';
  const marginValue = value.prefix === 'ap' ? value.value : value.half;
  const inRange = fragment(`${column} >= ?::numeric - ${margin} AND ${column} < ?::numeric + ${margin}`, value.value, marginValue, value.value, marginValue);
  return value.prefix === 'ne' ? fragment(`NOT (${inRange.sql})`, ...inRange.bindings) : inRange;
}
