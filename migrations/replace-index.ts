import type { Knex } from 'knex';

/**
 * Builds an index anew under the name of the one it replaces (`definition`: what follows
 * `CREATE INDEX … ON`): the new one first, so that searches keep an index until the old one is dropped.
 */
export async function replaceIndex(knex: Knex, name: string, definition: string): Promise<void> {
  await knex.raw(`CREATE INDEX ?? ON ${definition}`, [`${name}_next`]);
  await knex.raw('DROP INDEX ??', [name]);
  await knex.raw('ALTER INDEX ?? RENAME TO ??', [`${name}_next`, name]);
}
