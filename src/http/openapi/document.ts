import { ADMIN_SCHEMAS } from '../../auth/admin-schemas';
import type { DocumentedApi } from '../../route-doc';
import { statusOf } from '../../problems/outcomes';
import { documentedApi } from '../../v1/api';
import { v1Apis } from '../../v1';
import { V1_SCHEMAS } from '../../v1/schemas';
import { ADMIN_API } from '../admin-router';
import { ADMIN_EXAMPLES } from './admin-examples';
import { EVERY_ANSWER, headerRefs, RESPONSE_HEADERS } from './headers';
import { pathsOf, type JsonSchema, type SchemaSource } from './operations';
import { V1_EXAMPLES } from './v1-examples';

/** Where the document is served, without credentials. */
export const OPENAPI_PATH = '/v1/openapi.json';

export interface DocumentOptions {
  version: string;
  /** The absolute base URL clients use; without it the document is relative to where it was fetched. */
  publicBaseUrl?: string;
  /** Where the FHIR CapabilityStatement is. */
  capabilityStatementPath: string;
}

/**
 * The OpenAPI 3.1 document of the JSON APIs (/v1, /api-v1, /admin), built from the route
 * tables the app mounts and the JSON Schemas their requests are checked with.
 */
export function buildOpenApiDocument(options: DocumentOptions): Record<string, unknown> {
  const v1 = v1Apis().map(documentedApi);
  const v1Source: SchemaSource<keyof typeof V1_SCHEMAS> = { schemas: V1_SCHEMAS, examples: V1_EXAMPLES };
  const adminSource: SchemaSource<keyof typeof ADMIN_SCHEMAS> = { schemas: ADMIN_SCHEMAS, examples: ADMIN_EXAMPLES };
  const apis: DocumentedApi<string>[] = [...v1, ADMIN_API];
  const paths = Object.assign({}, selfPath(), ...v1.map((api) => pathsOf(api, v1Source)), pathsOf(ADMIN_API, adminSource));
  return {
    openapi: '3.1.0',
    info: {
      title: 'FHIR facade server: JSON APIs',
      version: options.version,
      description: [
        'The /v1 compatibility APIs (projections of the FHIR resources the server stores) and the administration API.',
        `The FHIR R4 API is described by its CapabilityStatement at [${options.capabilityStatementPath}](${options.capabilityStatementPath}).`,
        'Every call needs an API key, sent as `Authorization: Bearer <key>` or `x-api-key: <key>`.',
      ].join('\n\n'),
    },
    ...(options.publicBaseUrl && { servers: [{ url: options.publicBaseUrl }] }),
    tags: [...apis.map((api) => ({ name: api.tag, description: api.description })), { name: 'Documentation', description: 'This document' }],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries({ ...V1_SCHEMAS, ...ADMIN_SCHEMAS }).map(([name, schema]) => [name, asOpenApiSchema(schema)])),
      headers: RESPONSE_HEADERS,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`fhk_…`), or a JWT access token when the server accepts them' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key (`fhk_…`)' },
      },
    },
  };
}

/** The seed schemas declare draft-07; they use nothing that differs in OpenAPI 3.1's JSON Schema 2020-12. */
function asOpenApiSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

const PLAIN_ERROR = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } }, required: ['error', 'message'] };

function selfPath(): Record<string, unknown> {
  return {
    [OPENAPI_PATH]: {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['Documentation'],
        summary: 'This OpenAPI document',
        description: 'Open: no credentials needed (rate-limited per client address).',
        security: [],
        responses: {
          [statusOf('ok')]: { description: 'The document', headers: headerRefs(EVERY_ANSWER), content: { 'application/json': { schema: { type: 'object' } } } },
          [statusOf('unauthorized')]: {
            description: 'unauthorized: credentials were sent and are not valid (sending none is fine)',
            headers: headerRefs(['X-Request-Id', 'WWW-Authenticate']),
            content: { 'application/json': { schema: PLAIN_ERROR } },
          },
          [statusOf('tooManyRequests')]: {
            description: 'rate_limited: the client address’s budget for this window is spent',
            headers: headerRefs([...EVERY_ANSWER, 'Retry-After']),
            content: { 'application/json': { schema: PLAIN_ERROR } },
          },
        },
      },
    },
  };
}
