import type { Bundle, Resource } from '@medplum/fhirtypes';
import { replaceReferences } from '../bundle/references';
import { importId } from './import-ids';
import type { ImportSource } from './import-input';

export interface BundleResource {
  source: ImportSource;
  resource: Resource & { id: string };
}

/**
 * The resources of a Bundle of any type (transaction, batch, collection, searchset), each under
 * the id it will keep, with references to other entries' fullUrls (`urn:uuid:…`) rewritten to
 * `Type/id` as a transaction would. Entries without a resource carry nothing to load.
 */
export async function flattenBundle(bundle: Bundle, line: number): Promise<BundleResource[]> {
  const entries = (Array.isArray(bundle.entry) ? bundle.entry : []).flatMap((entry, i) => {
    const resource = entry?.resource;
    if (typeof resource !== 'object' || resource === null || typeof resource.resourceType !== 'string') return [];
    const id = importId(resource, entry.fullUrl);
    return [{ source: { line, entry: i }, fullUrl: entry.fullUrl, resource: { ...resource, id } }];
  });
  const targets = new Map(
    entries.filter((e) => typeof e.fullUrl === 'string').map((e) => [e.fullUrl as string, `${e.resource.resourceType}/${e.resource.id}`]),
  );
  const rewrite = (reference: string): string => targets.get(reference) ?? reference;
  return Promise.all(entries.map(async ({ source, resource }) => ({ source, resource: await replaceReferences(resource, rewrite) })));
}
