import type { Resource } from '@medplum/fhirtypes';
import type { Created } from '../../mappings/types';
import { duplicateKeyOf, isOperationOutcomeError, type OutcomeKind } from '../problems/outcomes';
import { notFoundProblem, ProblemError } from '../problems/problem';
import type { FailureDoc } from '../route-doc';
import type { V1Api, V1Request } from './api';
import { findProjected } from './projected';
import { inRequestTerms } from './request-terms';
import type { Check } from './schema';
import type { V1SchemaName } from './schemas';
import { isUuid } from '../uuid-text';

/**
 * A family whose POST maps a checked body to one FHIR resource and answers its projection,
 * and whose GET projects the stored resource (seeds 000, 002). The FHIR resource is the record.
 */
export interface ProjectionFamily<Body, Shape, R extends Resource> {
  path: string;
  /** The resource in words, for messages: `patient`. */
  noun: string;
  resourceType: R['resourceType'];
  /** The profile whose claim (`meta.profile`) makes a stored resource a /v1 one. */
  profile: string;
  /** The documented `error` code of a business-key clash. */
  duplicateCode: string;
  /** The documented JSON Schema and prose rules; throws a 400 naming the field. */
  check: Check<Body>;
  toFhir(body: Body): R;
  /** A step between mapping and storing (e.g. asking Junction); throwing stores nothing. */
  prepare?(resource: R, body: Body, req: V1Request): Promise<R>;
  fromFhir(resource: R, created: Created): Shape;
  /** The family in the OpenAPI document: the schemas `check` and `fromFhir` keep to, and the POST's seed statuses. */
  doc: V1Api['doc'] & { request: V1SchemaName; reply: V1SchemaName; createFailures: Partial<Record<OutcomeKind, FailureDoc>> };
}

/** POST: check, map, store (FHIR validation, profile and unique keys in one transaction), project. */
export async function createProjection<B, S, R extends Resource>(family: ProjectionFamily<B, S, R>, req: V1Request): Promise<S> {
  const body = family.check(req.body);
  const mapped = family.toFhir(body);
  const resource = family.prepare ? await family.prepare(mapped, body, req) : mapped;
  const stored = await req.service.create(resource).catch((err: unknown) => {
    throw inFamilyTerms(family, inRequestTerms(err, req.body, resource));
  });
  return family.fromFhir(stored.resource as R, stored);
}

/** GET: the projection, or one 404 for ids that are malformed, unknown, another tenant's, deleted or not /v1. */
export async function readProjection<B, S, R extends Resource>(family: ProjectionFamily<B, S, R>, req: V1Request): Promise<S> {
  const id = req.params.id ?? '';
  const stored = isUuid(id) ? await findProjected(req.service, family.resourceType, family.profile, id) : undefined;
  if (!stored) throw notFoundProblem(`No ${family.noun} exists with this id`, 'id');
  return family.fromFhir(stored.resource as R, stored);
}

/** A business-key clash gets the family's documented code and the store's sentence, which carries no values. */
function inFamilyTerms<B, S, R extends Resource>(family: ProjectionFamily<B, S, R>, err: unknown): unknown {
  if (!isOperationOutcomeError(err) || duplicateKeyOf(err.outcome) === undefined) return err;
  return new ProblemError({ kind: 'conflict', code: family.duplicateCode, message: err.message });
}

/** The family's two routes in the `{ error, message }` shape. */
export function projectionApi<B, S extends { id: string }, R extends Resource>(family: ProjectionFamily<B, S, R>): V1Api {
  const { request, reply, createFailures, ...doc } = family.doc;
  const Noun = family.noun[0]?.toUpperCase() + family.noun.slice(1);
  return {
    prefixes: [family.path],
    shape: 'error-message',
    acceptsJson: true,
    doc,
    routes: [
      {
        method: 'post',
        path: '/',
        handle: async (req) => {
          const created = await createProjection(family, req);
          return { data: created, createdId: created.id };
        },
        doc: {
          operationId: `create${Noun}`,
          summary: `Create a ${family.noun}`,
          description: `Stored as a FHIR ${family.resourceType} claiming \`${family.profile}\`; the id is its FHIR id.`,
          body: request,
          reply: { kind: 'created', description: `The ${family.noun} was created`, schema: reply, headers: ['Location'] },
          failures: createFailures,
        },
      },
      {
        method: 'get',
        path: '/:id',
        handle: async (req) => ({ data: await readProjection(family, req) }),
        doc: {
          operationId: `read${Noun}`,
          summary: `Read a ${family.noun}`,
          description: `The same body as the POST answered, projected from the current FHIR ${family.resourceType}.`,
          reply: { kind: 'ok', description: `The ${family.noun}`, schema: reply },
          failures: {
            notFound: {
              description: `No ${family.noun} of this tenant has this id (also ids that are not UUIDs, and resources not written as a /v1 ${family.noun})`,
            },
          },
        },
      },
    ],
  };
}
