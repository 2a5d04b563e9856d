import { isSupportedType } from './validation/definitions';

/** A relative reference to a resource type this server stores, and where it stands. */
export interface LocalReference {
  /** FHIRPath-like element path, e.g. `Patient.managingOrganization.reference`. */
  path: string;
  resourceType: string;
  id: string;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** Every `Reference.reference` of the resource of the form `Type/id` naming a stored type. */
export function localReferences(resource: { resourceType: string }): LocalReference[] {
  const found: LocalReference[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') {
        const m = RELATIVE.exec(child);
        if (m?.[1] && m[2] && isSupportedType(m[1])) found.push({ path: `${path}.reference`, resourceType: m[1], id: m[2] });
      } else if (key !== 'contained') {
        walk(child, `${path}.${key}`);
      }
    }
  };
  walk(resource, resource.resourceType);
  return found;
}
