import type { Knex } from 'knex';

/** The SQLSTATE of a write that refused itself; its DETAIL is the JSON array of what was refused. */
export const WRITE_REFUSED = 'ZF409';

/**
 * A statement that writes resources calls this with what it could not write (rows a concurrent
 * request inserted first, business keys another resource holds), or NULL. Raising aborts the
 * whole statement, so one that runs without a transaction leaves nothing behind; it answers
 * false otherwise, to stand in a WHERE clause.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION fhir_refuse_write(refused jsonb) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      IF refused IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = '${WRITE_REFUSED}', MESSAGE = 'the write was refused', DETAIL = refused::text;
      END IF;
      RETURN false;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS fhir_refuse_write(jsonb)');
}
