import type { QueryValue } from '../request';
import { decodeSegments } from '../route-match';

export interface EntryUrl {
  /** Decoded path segments below the FHIR base, e.g. `['Patient', '123']`. */
  segments: string[];
  query: Record<string, QueryValue>;
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * `Bundle.entry.request.url` is relative to the FHIR base
 * (https://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.request.url); an absolute URL
 * is accepted only when it points at this server's own base. Undefined when unusable.
 */
export function parseEntryUrl(url: string, baseUrl: string): EntryUrl | undefined {
  const relative = url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length + 1) : url;
  if (HAS_SCHEME.test(relative)) return undefined;
  const at = relative.indexOf('?');
  const path = (at < 0 ? relative : relative.slice(0, at)).replace(/^\//, '');
  const segments = decodedSegments(path);
  if (!segments) return undefined;
  return { segments, query: queryOf(at < 0 ? '' : relative.slice(at + 1)) };
}

function decodedSegments(path: string): string[] | undefined {
  const raw = path.split('/');
  return raw.includes('') ? undefined : decodeSegments(raw);
}

function queryOf(search: string): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = query[key];
    query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
  }
  return query;
}
