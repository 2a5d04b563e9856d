import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from '../problems/problem';
import { NDJSON_TYPES } from './ndjson-body';

/** `application/json+fhir` is the DSTU2 name, still sent by older clients. */
const JSON_BODY = /^application\/(fhir\+json|json\+fhir|json|json-patch\+json)$/;
const FORM_BODY = 'application/x-www-form-urlencoded';
const JSON_ACCEPT = /application\/(fhir\+)?json|\*\/\*|application\/\*|^json$/;

/**
 * This server speaks JSON only: XML (or any other) bodies are a 415, a request that will
 * only accept XML a 406 — each with a message saying what to send instead.
 */
export function fhirMediaTypes(req: Request, _res: Response, next: NextFunction): void {
  const format = typeof req.query._format === 'string' ? req.query._format : undefined;
  if (format && !/json/.test(format)) {
    throw new ProblemError({
      kind: 'notAcceptable',
      code: 'not_acceptable',
      message: `_format=${format.slice(0, 40)} is not supported; this server returns application/fhir+json`,
      field: '_format',
    });
  }
  const accept = req.get('accept');
  if (accept && !JSON_ACCEPT.test(accept)) {
    throw new ProblemError({
      kind: 'notAcceptable',
      code: 'not_acceptable',
      message: 'Only application/fhir+json responses are available; XML is not supported',
    });
  }
  if (hasBody(req)) {
    const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const formSearch = type === FORM_BODY && req.path.endsWith('/_search');
    const ndjsonImport = NDJSON_TYPES.includes(type) && req.path === '/$import';
    if (!JSON_BODY.test(type) && !formSearch && !ndjsonImport) {
      const what = type.includes('xml') ? 'XML is not supported' : `Content-Type "${type.slice(0, 60) || '(none)'}" is not supported`;
      throw new ProblemError({ kind: 'unsupportedMediaType', code: 'unsupported_media_type', message: `${what}; send application/fhir+json` });
    }
  }
  next();
}

function hasBody(req: Request): boolean {
  if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return false;
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}
