/**
 * Whether `METHOD /path` (a route template such as `GET /v3/order/:orderId`) matches a request;
 * `:name` and `*` segments match any one segment.
 */
export function matchesRoute(template: string, method: string, path: string): boolean {
  const [templateMethod, templatePath = ''] = template.trim().split(/\s+/);
  if (templateMethod?.toUpperCase() !== method.toUpperCase()) return false;
  const expected = segments(templatePath);
  const actual = segments(path);
  return expected.length === actual.length && expected.every((segment, i) => segment === '*' || segment.startsWith(':') || segment === actual[i]);
}

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}
