import express from 'express';
import type { Resource } from '@medplum/fhirtypes';
import type { Created } from '../../mappings/types';
import type { FhirService } from '../fhir/service';
import type { V1Deps, V1Family } from '.';
import { v1JsonBody } from './json-body';
import { findProjected } from './projected';
import { inRequestTerms, loopErrorWriter, notFound } from './loop-errors';
import type { Check } from './schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A loop-style family (seeds 000, 002): POST maps a checked body to one FHIR resource and
 * answers its projection; GET projects the stored resource. The FHIR resource is the record.
 */
export interface LoopFamily<Body, Shape, R extends Resource> {
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
  fromFhir(resource: R, created: Created): Shape;
}

/** POST: check, map, store (FHIR validation, profile and unique keys in one transaction), project. */
export async function createProjection<B, S, R extends Resource>(family: LoopFamily<B, S, R>, service: FhirService, body: unknown): Promise<S> {
  const resource = family.toFhir(family.check(body));
  const stored = await service.create(resource).catch((err: unknown) => {
    throw inRequestTerms(err, body, resource);
  });
  return family.fromFhir(stored.resource as R, stored);
}

/** GET: the projection, or one 404 for ids that are malformed, unknown, another tenant's, deleted or not /v1. */
export async function readProjection<B, S, R extends Resource>(family: LoopFamily<B, S, R>, service: FhirService, id: string): Promise<S> {
  if (!UUID.test(id)) throw notFound(family.noun);
  const stored = await findProjected(service.repo, family.resourceType, family.profile, id);
  if (!stored) throw notFound(family.noun);
  return family.fromFhir(stored.resource as R, stored);
}

/** The Express side of a loop family: parse, call, send. */
export function loopFamilyRoutes<B, S extends { id: string }, R extends Resource>(family: LoopFamily<B, S, R>, deps: V1Deps): V1Family {
  const router = express.Router();
  router.use(v1JsonBody(deps.bodyLimit));
  router.post('/', async (req, res) => {
    const created = await createProjection(family, deps.serviceFor(req), req.body);
    res.location(`${req.baseUrl}/${created.id}`).status(201).json(created);
  });
  router.get('/:id', async (req, res) => {
    res.json(await readProjection(family, deps.serviceFor(req), req.params.id));
  });
  return { prefixes: [family.path], router, writeError: loopErrorWriter(family.duplicateCode) };
}
