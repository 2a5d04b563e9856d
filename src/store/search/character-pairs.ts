import { PAIRED_NAME_CODES } from '../../../migrations/034_directory_character_pairs';
import { allOf, fragment, type SqlFragment } from '../sql-fragment';

/**
 * Whether the index rows of `resourceType`'s `codes` in `search_<table>` are indexed by their
 * pairs of characters (migration 034): the Practitioners' names and emails, which the clinician
 * directory's words are looked for in.
 */
export function indexedByPairs(resourceType: string, table: string, codes: readonly string[]): boolean {
  if (resourceType !== 'Practitioner') return false;
  const paired = table === 'string' ? PAIRED_NAME_CODES : table === 'token' ? ['email'] : [];
  return codes.length > 0 && codes.every((code) => paired.includes(code));
}

/** A text of two characters, which no trigram finds and one pair of characters does. */
export const isCharacterPair = (text: string): boolean => Array.from(text).length === 2;

/**
 * `expression` (the same one the pair index holds) contains `pair`: it is one of the text's
 * pairs, which the index finds. `strpos` says the same and costs the planner less, so a row the
 * plan tests by itself (a resource's own rows) is tested by it, and the pairs are only computed
 * for a row that holds the text; unlike a `LIKE`, a plan made for any text reads no trigram index for it.
 */
export const containsPair = (expression: string, pair: string): SqlFragment =>
  allOf([fragment(`strpos(${expression}, ?) > 0`, pair), fragment(`fhir_character_pairs(${expression}) @> ARRAY[?::text]`, pair)]);
