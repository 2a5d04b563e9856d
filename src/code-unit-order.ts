/**
 * Orders strings by UTF-16 code units, as `<` does, whatever the locale: the order PostgreSQL
 * gives ASCII text such as FHIR ids and timestamps under any collation.
 */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
