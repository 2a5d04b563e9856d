import type { Access, AccessKind } from '../access';
import type { Interaction } from '../request';
import type { BundleRequestEntry } from './parse-entry';

const KIND: Record<Interaction, AccessKind | undefined> = {
  read: 'read',
  vread: 'vread',
  update: 'update',
  patch: 'patch',
  delete: 'delete',
  'history-instance': 'history',
  'history-type': 'history',
  create: 'create',
  'search-type': 'search',
  batch: undefined,
  transaction: undefined,
};

/** The accesses an entry will make: its interaction, and the search behind a conditional one. */
export function accessesOf(entry: BundleRequestEntry): Access[] {
  const resourceType = entry.request.resourceType ?? '';
  const kind = entry.route.operation === 'validate' ? 'validate' : entry.route.interaction && KIND[entry.route.interaction];
  if (!kind) return [];
  const conditional = entry.request.ifNoneExist !== undefined || (kind === 'update' && entry.request.id === undefined);
  const accesses: Access[] = [{ kind, resourceType, id: entry.request.id }];
  if (conditional) accesses.push({ kind: 'search', resourceType });
  return accesses;
}
