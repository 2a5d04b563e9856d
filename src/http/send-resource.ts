import type { Response } from 'express';
import { statusOf } from '../problems/outcomes';
import type { FhirResult } from '../fhir/request';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export type PreferReturn = 'minimal' | 'representation' | 'OperationOutcome';

/**
 * The one place FHIR response headers are written: content type, ETag, Last-Modified,
 * Location, and the body `Prefer: return=` asks for. https://hl7.org/fhir/R4/http.html#ops
 */
export function sendResult(res: Response, result: FhirResult, baseUrl: string, prefer?: PreferReturn): void {
  const status = statusOf(result.outcome);
  const { version } = result;
  if (version) {
    res.setHeader('ETag', `W/"${version.versionId}"`);
    res.setHeader('Last-Modified', new Date(version.lastUpdated).toUTCString());
    if (status === 201) {
      const { resourceType, id } = version.resource;
      res.setHeader('Location', `${baseUrl}/${resourceType}/${id}/_history/${version.versionId}`);
    }
  }
  res.status(status).setHeader('Content-Type', FHIR_JSON);
  const isWrite = version !== undefined && (status === 201 || res.req.method !== 'GET');
  if (isWrite && prefer === 'minimal') {
    res.end();
  } else if (isWrite && prefer === 'OperationOutcome') {
    res.json(result.outcome.resource);
  } else if (result.json !== undefined) {
    sendJsonText(res, result.json);
  } else {
    res.json(result.resource ?? result.outcome.resource);
  }
}

/**
 * JSON already written out (a stored version, a Bundle) goes to the socket as it is: with the
 * headers in one write, where `res.send` would copy a text of 1,000 characters or more into a
 * Buffer and send the two apart. A client's `If-None-Match` or `If-Modified-Since` that still
 * holds gets its 304, as `res.send` would answer.
 */
function sendJsonText(res: Response, json: string): void {
  if (res.req.fresh) {
    res.removeHeader('Content-Type');
    res.status(304).end();
    return;
  }
  if (res.req.method === 'HEAD') {
    res.setHeader('Content-Length', Buffer.byteLength(json));
    res.end();
    return;
  }
  // Node writes Content-Length itself for a body given whole to end().
  res.end(json, 'utf8');
}

/** `Prefer: return=…` from the request header, if it names one we serve. */
export function preferReturn(header: string | undefined): PreferReturn | undefined {
  const m = /return=(minimal|representation|OperationOutcome)/.exec(header ?? '');
  return m?.[1] as PreferReturn | undefined;
}
