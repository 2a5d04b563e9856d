import type { Knex } from 'knex';
import { INDEXED_PREFIX_CHARS } from '../../../migrations/009_bounded_index_keys';
import type { IndexValue, Prefix } from './query';

type Where = Knex.QueryBuilder;

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
function whereValueIs(qb: Where, column: string, value: string): void {
  qb.whereRaw(`left(??, ${INDEXED_PREFIX_CHARS}) = left(?, ${INDEXED_PREFIX_CHARS})`, [column, value]);
  // UTF-16 length ≥ characters: a shorter JavaScript string is surely shorter in characters.
  if (value.length >= INDEXED_PREFIX_CHARS) qb.andWhere(column, value);
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
function whereValueStartsWith(qb: Where, keyColumn: string, column: string, prefix: string): void {
  const key = prefix.slice(0, INDEXED_PREFIX_CHARS);
  qb.whereRaw('?? ~>=~ ?', [keyColumn, key]);
  const ceiling = prefixCeiling(key);
  if (ceiling !== undefined) qb.andWhereRaw('?? ~<~ ?', [keyColumn, ceiling]);
  if (prefix.length > INDEXED_PREFIX_CHARS) qb.andWhere(column, 'like', `${escapeLike(prefix)}%`);
}

/** Restricts index rows (alias `s`) to those matching one value. https://hl7.org/fhir/R4/search.html */
export function matchValue(qb: Where, s: string, value: IndexValue): void {
  switch (value.type) {
    case 'string':
      if (value.match === 'exact') {
        // Through the prefix index (its key equal to the folded text), then the original compared.
        qb.whereRaw(`?? = left(?, ${INDEXED_PREFIX_CHARS})`, [`${s}.value_key`, value.folded]);
        qb.andWhere(`${s}.exact`, value.text);
      } else if (value.match === 'contains') qb.where(`${s}.value`, 'like', `%${escapeLike(value.text)}%`);
      else whereValueStartsWith(qb, `${s}.value_key`, `${s}.value`, value.text);
      return;
    case 'token':
      if (value.system === null) qb.whereNull(`${s}.system`);
      else if (value.system !== undefined) qb.where(`${s}.system`, value.system);
      if (value.code !== undefined) whereValueIs(qb, `${s}.value`, value.code);
      return;
    case 'tokenSubstring':
      qb.whereRaw('lower(??) LIKE ?', [`${s}.value`, `%${escapeLike(value.text)}%`]);
      return;
    case 'tokenText':
      qb.where(`${s}.text`, 'like', `${escapeLike(value.text)}%`);
      return;
    case 'reference':
      if (value.reference !== undefined) qb.where(`${s}.reference`, value.reference);
      if (value.id === null) qb.whereNull(`${s}.target_id`);
      else if (value.id !== undefined) qb.where(`${s}.target_id`, value.id);
      if (value.targetType !== undefined) qb.where(`${s}.target_type`, value.targetType);
      return;
    case 'referenceIdentifier':
      qb.whereNotNull(`${s}.identifier_value`);
      if (value.system === null) qb.whereNull(`${s}.identifier_system`);
      else if (value.system !== undefined) qb.where(`${s}.identifier_system`, value.system);
      if (value.value !== undefined) whereValueIs(qb, `${s}.identifier_value`, value.value);
      return;
    case 'date':
      matchDateRange(qb, `${s}.low`, `${s}.high`, value);
      return;
    case 'number':
      matchNumber(qb, `${s}.value`, value);
      return;
    case 'uri':
      if (value.match === 'exact') whereValueIs(qb, `${s}.value`, value.uri);
      else if (value.match === 'below') qb.where(`${s}.value`, 'like', `${escapeLike(value.uri)}%`);
      else qb.whereRaw('left(?, length(??)) = ??', [value.uri, `${s}.value`, `${s}.value`]);
      return;
  }
}

/**
 * Compares a stored range [low, high] with the search range by prefix.
 * https://hl7.org/fhir/R4/search.html#prefix — `ap` is taken as "the ranges overlap".
 * Since low <= high, eq and le also bound `low` from above, and ge bounds `high` from below:
 * redundant for the result, but it gives each an index range instead of half the table.
 */
export function matchDateRange(qb: Where, low: string, high: string, value: { prefix: Prefix; low: string; high: string }): void {
  const within = (w: Where): Where => w.where(low, '>=', value.low).andWhere(high, '<=', value.high);
  switch (value.prefix) {
    case 'eq':
      within(qb).andWhere(low, '<=', value.high);
      return;
    case 'ne':
      qb.whereNot(within);
      return;
    case 'gt':
      qb.where(high, '>', value.high);
      return;
    case 'lt':
      qb.where(low, '<', value.low);
      return;
    case 'ge':
      qb.where(high, '>=', value.low).andWhere((w) => w.where(high, '>', value.high).orWhere(within));
      return;
    case 'le':
      qb.where(low, '<=', value.high).andWhere((w) => w.where(low, '<', value.low).orWhere(within));
      return;
    case 'sa':
      qb.where(low, '>', value.high);
      return;
    case 'eb':
      qb.where(high, '<', value.low);
      return;
    case 'ap':
      qb.where(low, '<=', value.high).andWhere(high, '>=', value.low);
      return;
  }
}

/** https://hl7.org/fhir/R4/search.html#number — eq/ne honour the value's precision, ap is ±10%. */
function matchNumber(qb: Where, column: string, value: { prefix: Prefix; value: string; half: string }): void {
  const ops: Partial<Record<Prefix, string>> = { gt: '>', lt: '<', ge: '>=', le: '<=', sa: '>', eb: '<' };
  const op = ops[value.prefix];
  if (op) {
    qb.whereRaw(`?? ${op} ?::numeric`, [column, value.value]);
    return;
  }
  const margin = value.prefix === 'ap' ? 'abs(?::numeric) * 0.1' : '?::numeric';
  const marginValue = value.prefix === 'ap' ? value.value : value.half;
  const inRange = `?? >= ?::numeric - ${margin} AND ?? < ?::numeric + ${margin}`;
  const bindings = [column, value.value, marginValue, column, value.value, marginValue];
  qb.whereRaw(value.prefix === 'ne' ? `NOT (${inRange})` : inRange, bindings);
}
