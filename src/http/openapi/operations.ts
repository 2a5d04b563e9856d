import { statusOf, type OutcomeKind } from '../../problems/outcomes';
import type { DocumentedApi, FailureDoc, RouteDoc } from '../../route-doc';
import { commonFailures } from './common-failures';
import { EVERY_ANSWER, headerRefs } from './headers';

export type JsonSchema = Record<string, unknown>;
/** An example body; one with a `kind` shows only on the response of that outcome (a 404 example on the 404). */
export interface Example {
  summary: string;
  value: unknown;
  kind?: OutcomeKind;
}
export type Examples = Record<string, Example>;

/** What the operations are built from: the named schemas and the examples of each. */
export interface SchemaSource<S extends string> {
  schemas: Record<S, JsonSchema>;
  examples: Partial<Record<S, Examples>>;
}

type Operations = Record<string, Record<string, unknown>>;

/** Every route of an API under every prefix, as OpenAPI path items (`/v1/patients/{id}` → { get: … }). */
export function pathsOf<S extends string>(api: DocumentedApi<S>, source: SchemaSource<S>): Record<string, Operations> {
  const paths: Record<string, Operations> = {};
  api.prefixes.forEach((prefix, i) => {
    for (const route of api.routes) {
      const path = openApiPath(prefix, route.path);
      const operation = operationOf(api, route, source);
      // The same operation under a second prefix needs an id of its own.
      if (i > 0) operation.operationId = `${route.doc.operationId}_${camel(prefix.split('/')[1] ?? '')}`;
      (paths[path] ??= {})[route.method] = operation;
    }
  });
  return paths;
}

/** `/v1/patients` + `/:id` → `/v1/patients/{id}`; `/` adds nothing. */
export function openApiPath(prefix: string, path: string): string {
  return `${prefix}${path === '/' ? '' : path}`.replace(/:(\w+)/g, '{$1}');
}

function operationOf<S extends string>(api: DocumentedApi<S>, route: DocumentedApi<S>['routes'][number], source: SchemaSource<S>): Record<string, unknown> {
  const { doc } = route;
  const responses: Record<string, unknown> = {
    [statusOf(doc.reply.kind)]: {
      description: doc.reply.description,
      headers: headerRefs([...EVERY_ANSWER, ...(doc.reply.headers ?? [])]),
      ...(doc.reply.schema && { content: jsonContent(doc.reply.schema, source, undefined) }),
    },
  };
  const failures = { ...commonFailures(api, route), ...doc.failures };
  for (const [kind, failure] of Object.entries(failures) as [OutcomeKind, FailureDoc][]) {
    // A 401 leaves before the rate limiter has counted the request.
    const every = kind === 'unauthorized' ? ['X-Request-Id' as const] : EVERY_ANSWER;
    responses[statusOf(kind)] = {
      description: failure.description,
      headers: headerRefs([...every, ...(failure.headers ?? [])]),
      content: jsonContent(api.errors[kind] ?? api.errors.default, source, kind),
    };
  }
  return {
    operationId: doc.operationId,
    tags: [api.tag],
    summary: doc.summary,
    ...(doc.description && { description: doc.description }),
    parameters: [...pathParameters(route.path), ...queryParameters(doc, source), ...headerParameters(doc)],
    ...(doc.body && { requestBody: { required: true, content: jsonContent(doc.body, source, undefined) } }),
    responses,
  };
}

/** The schema by reference, with the examples of the schema that belong to this outcome. */
function jsonContent<S extends string>(name: S, source: SchemaSource<S>, kind: OutcomeKind | undefined): Record<string, unknown> {
  const matching = Object.entries(source.examples[name] ?? {}).filter(([, example]) => example.kind === kind);
  const examples = Object.fromEntries(matching.map(([key, { summary, value }]) => [key, { summary, value }]));
  return { 'application/json': { schema: { $ref: `#/components/schemas/${name}` }, ...(matching.length > 0 && { examples }) } };
}

function pathParameters(path: string): unknown[] {
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: 'A UUID; any other value answers 404',
    schema: { type: 'string' },
  }));
}

/** Each property of the route's query schema is one parameter, with that property's schema. */
function queryParameters<S extends string>(doc: RouteDoc<S>, source: SchemaSource<S>): unknown[] {
  if (!doc.query) return [];
  const schema = source.schemas[doc.query] as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, ...(description !== undefined && { description }), schema: propertySchema };
  });
}

function headerParameters<S extends string>(doc: RouteDoc<S>): unknown[] {
  return (doc.headers ?? []).map((header) => ({ ...header, in: 'header' }));
}

function camel(text: string): string {
  return text.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}
