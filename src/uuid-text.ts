const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `text` is a UUID in its textual form, of any version (the default tenant's id is
 * not an RFC 9562 one): what a `uuid` column takes, so ids that are not one can be answered
 * as absent without a statement the database would refuse.
 */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
