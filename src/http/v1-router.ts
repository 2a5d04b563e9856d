import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { FhirService } from '../fhir/service';
import { ProblemError } from '../problems/problem';
import type { V1Api, V1Ports, V1Request } from '../v1/api';
import { jsonGuard, jsonParser } from './json-guard';
import { sendReply } from './v1-shapes';

export interface V1RouterDeps {
  serviceFor(req: Request): FhirService;
  ports: V1Ports;
  bodyLimit?: string;
}

/** Mounts one /v1 API's route table: parse the request, call the use case, send the reply in the API's shape. */
export function v1Router(api: V1Api, deps: V1RouterDeps): Router {
  const router = express.Router();
  if (api.acceptsJson) router.use(jsonBody(deps.bodyLimit));
  for (const route of api.routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      sendReply(api.shape, req, res, await route.handle(toV1Request(req, deps.serviceFor(req), deps.ports)));
    });
  }
  return router;
}

function toV1Request(req: Request, service: FhirService, ports: V1Ports): V1Request {
  return {
    params: req.params as Record<string, string>,
    query: req.query as Record<string, unknown>,
    body: req.body,
    header: (name) => req.get(name),
    requestId: req.requestId,
    service,
    ports,
  };
}

/**
 * JSON bodies: another content type is a 415, malformed JSON a 400 and an oversized body a
 * 413 — each leaves through the API's own error shape.
 */
function jsonBody(limit = '1mb') {
  const parse = jsonParser({ limit, strict: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is('application/json') && req.get('content-length') !== '0') {
      next(new ProblemError({ kind: 'unsupportedMediaType', code: 'unsupported_media_type', message: 'Content-Type must be application/json' }));
      return;
    }
    parse(req, res, (err?: unknown) => (err ? next(err) : jsonGuard(req, res, next)));
  };
}
