import type { FhirRoute } from './request';

export interface RouteMatch {
  route: FhirRoute;
  /** Values of the route's `:name` segments, e.g. `{ type: 'Patient', id: '123' }`. */
  params: Record<string, string>;
}

/**
 * The route of FHIR_ROUTES a method and decoded path segments reach, over HTTP or in a Bundle
 * entry: the first row whose segments match. Only `:name` segments and literals (with Express's
 * escapes, like `\$validate`) occur in the table.
 */
export function matchRoute(routes: readonly FhirRoute[], method: string, segments: readonly string[]): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchSegments(patternOf(route), segments);
    if (params) return { route, params };
  }
  return undefined;
}

/** Path segments percent-decoded, or undefined when one is not valid percent-encoded UTF-8. */
export function decodeSegments(raw: readonly string[]): string[] | undefined {
  try {
    return raw.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

const patterns = new WeakMap<FhirRoute, string[]>();

function patternOf(route: FhirRoute): string[] {
  let pattern = patterns.get(route);
  if (!pattern) {
    pattern = route.path
      .replace(/\\/g, '')
      .split('/')
      .filter((s) => s !== '');
    patterns.set(route, pattern);
  }
  return pattern;
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}
