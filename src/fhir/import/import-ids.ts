import { createHash } from 'node:crypto';
import { isFhirId } from '../ids';

const URN_UUID = /^urn:uuid:([0-9a-fA-F-]{36})$/;
const ABSOLUTE_RESOURCE_URL = /\/([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/**
 * The id an imported resource is stored under: its own; else the one its Bundle fullUrl gives
 * (`urn:uuid:…`, `…/Type/id`); else one derived from its content, so that loading the same
 * file again finds the same resource instead of writing a second one.
 */
export function importId(resource: { resourceType: string; id?: unknown }, fullUrl?: string): string {
  if (typeof resource.id === 'string' && resource.id !== '') return resource.id;
  const uuid = fullUrl && URN_UUID.exec(fullUrl)?.[1];
  if (uuid) return uuid.toLowerCase();
  const absolute = fullUrl && ABSOLUTE_RESOURCE_URL.exec(fullUrl);
  if (absolute && absolute[1] === resource.resourceType && isFhirId(absolute[2]!)) return absolute[2]!;
  return contentId(resource);
}

/** A UUID-shaped id named by the resource's content (SHA-256). */
function contentId(resource: object): string {
  const hex = createHash('sha256').update(JSON.stringify(resource)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
