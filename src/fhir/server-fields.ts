import type { Resource } from '@medplum/fhirtypes';

/** The server owns versionId and lastUpdated; what a client sends there never takes effect. */
export function withoutServerFields<T extends Resource>(resource: T): T {
  if (!resource.meta) return resource;
  const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta;
  const { meta: _m, ...rest } = resource;
  return (Object.keys(meta).length > 0 ? { ...rest, meta } : rest) as T;
}
