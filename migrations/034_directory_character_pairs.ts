import type { Knex } from 'knex';

/**
 * A word of two characters (`ro`, `an`, `o'`: what a clinician types first into the directory's
 * search box) holds no trigram, so the trigram indexes of migration 033 return every row of the
 * Practitioners for it: at 20,000 Practitioners such a search read their 160,000 name rows and
 * 20,000 emails before testing the first one (80–120 ms). The same rows indexed by their pairs of
 * adjacent characters find it directly: a text contains a two-character word exactly when the
 * word is one of its pairs. The Practitioners' names and emails only, the rows the directory's
 * words are looked for in: each row pays an index entry a pair on every write (a load of 20,000
 * Practitioners alone took 22–33% longer).
 * `fhir_character_pairs` is IMMUTABLE (an index expression must be): the pairs of a text, by
 * character; a text of fewer than two characters has none.
 */
export const PAIRED_NAME_CODES = ['name', 'family', 'given', 'display-name'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE FUNCTION fhir_character_pairs(text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(substr($1, i, 2)), '{}') FROM generate_series(1, length($1) - 1) AS i $$`);
  const codes = PAIRED_NAME_CODES.map((code) => `'${code}'`).join(', ');
  await knex.raw(
    `CREATE INDEX search_string_practitioner_pairs ON search_string USING gin (fhir_character_pairs(value)) WHERE resource_type = 'Practitioner' AND code IN (${codes})`,
  );
  await knex.raw(
    "CREATE INDEX search_token_practitioner_email_pairs ON search_token USING gin (fhir_character_pairs(lower(value))) WHERE code = 'email' AND resource_type = 'Practitioner'",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX search_token_practitioner_email_pairs');
  await knex.raw('DROP INDEX search_string_practitioner_pairs');
  await knex.raw('DROP FUNCTION fhir_character_pairs(text)');
}
