/** Lower-case, accents removed: how string search compares. https://hl7.org/fhir/R4/search.html#string */
export function normalizeString(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}
