import express, { type Request, type Response, type Router } from 'express';
import type { BulkExports, ExportOwner } from '../fhir/export/bulk-exports';
import { statusPath } from '../fhir/export/manifest';
import { EXPORT_OPERATIONS } from '../fhir/export/operations';
import type { QueryValue } from '../fhir/request';
import type { FhirService } from '../fhir/service';
import { fail, notFound, outcome, statusOf } from '../problems/outcomes';
import { FHIR_JSON } from './send-resource';

export interface BulkExportRouterDeps {
  exports: BulkExports;
  serviceFor(req: Request): FhirService;
  baseUrlOf(req: Request): string;
}

const NDJSON = 'application/fhir+ndjson';
/** How long a client polling a running export should wait before asking again. */
const RETRY_AFTER_SECONDS = '2';
const FILE = /^([A-Z][A-Za-z]{0,63})\.ndjson$/;

/** Whether a path below the FHIR base is one of bulk export's: a kick-off, a status URL, an output file. */
export const isExportPath = (path: string): boolean => path.includes('/$export') || path.startsWith(statusPath(''));

/**
 * Bulk Data `$export` over HTTP (docs/bulk-export.md): the kick-off endpoints of
 * EXPORT_OPERATIONS (GET, or POST with a Parameters body), the status URL (poll, DELETE to
 * cancel), and a clear 404 for Group export, which this server does not serve.
 */
export function bulkExportRouter(deps: BulkExportRouterDeps): Router {
  const router = express.Router();
  for (const operation of EXPORT_OPERATIONS) {
    const kickOff = async (req: Request, res: Response): Promise<void> => {
      const baseUrl = deps.baseUrlOf(req);
      const request = {
        level: operation.level,
        query: queryOf(req),
        body: req.method === 'POST' ? req.body : undefined,
        prefer: req.get('prefer'),
        url: `${baseUrl}${req.url}`,
      };
      const id = await deps.exports.kickOff(request, deps.serviceFor(req), ownerOf(req));
      res.setHeader('Content-Location', `${baseUrl}${statusPath(id)}`);
      res
        .status(statusOf('accepted'))
        .type(FHIR_JSON)
        .json(outcome('accepted', `Export started; poll ${baseUrl}${statusPath(id)}`).resource);
    };
    router.get(operation.path, kickOff);
    router.post(operation.path, kickOff);
  }
  router.all('/Group/:id/\\$export', () =>
    fail(notFound('Group export is not supported: this server stores no Group resources; export every patient with Patient/$export')),
  );
  router.get(statusPath(':id'), async (req: Request, res: Response) => {
    const status = await deps.exports.status(tenantOf(req), String(req.params.id), deps.baseUrlOf(req));
    if (!status) fail(notFound('No such export'));
    if (status.state === 'in-progress') {
      res.setHeader('X-Progress', status.progress);
      res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
      res.status(statusOf('accepted')).end();
    } else if (status.state === 'completed') {
      res.setHeader('Expires', status.expires.toUTCString());
      res.status(statusOf('ok')).type('application/json').json(status.manifest);
    } else {
      res.status(statusOf('serverError')).type(FHIR_JSON).json(status.outcome);
    }
  });
  router.delete(statusPath(':id'), async (req: Request, res: Response) => {
    if (!(await deps.exports.cancel(tenantOf(req), String(req.params.id)))) fail(notFound('No such export'));
    res.status(statusOf('accepted')).type(FHIR_JSON).json(outcome('accepted', 'Export cancelled and its files deleted').resource);
  });
  return router;
}

/**
 * Output files: mounted before the FHIR media-type checks, since they answer NDJSON. Needs the
 * tenant of the export and read scope on the file's type.
 */
export function bulkExportFiles(deps: BulkExportRouterDeps): Router {
  const router = express.Router();
  router.get(`${statusPath(':id')}/:file`, async (req: Request, res: Response) => {
    const resourceType = FILE.exec(String(req.params.file))?.[1];
    const chunks = resourceType && (await deps.exports.file(tenantOf(req), String(req.params.id), resourceType));
    if (!resourceType || !chunks) fail(notFound('No such export file'));
    await deps.serviceFor(req).permits([{ kind: 'export', resourceType }]);
    res.status(statusOf('ok')).type(NDJSON);
    try {
      for await (const chunk of chunks) if (!res.write(chunk)) await drained(res);
      res.end();
    } catch (err) {
      // Half a file must not look like a whole one: the client sees the connection fail.
      if (!res.headersSent) throw err;
      res.destroy(err as Error);
    }
  });
  return router;
}

/** Resolves when the response can take more, or rejects when the client has gone. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', gone);
      resolve();
    };
    const gone = (): void => {
      res.off('drain', done);
      reject(new Error('client closed the connection'));
    };
    res.once('drain', done);
    res.once('close', gone);
  });
}

function tenantOf(req: Request): string {
  if (!req.principal) throw new Error('no authenticated caller on an export path');
  return req.principal.tenantId;
}

function ownerOf(req: Request): ExportOwner {
  if (!req.principal) throw new Error('no authenticated caller on an export path');
  const { kind, subject, scopes } = req.principal;
  return { via: kind, id: subject, scopes: [...scopes.scopes], requestId: req.requestId };
}

/** Without a prototype, a parameter named `__proto__` is a parameter like any other. */
function queryOf(req: Request): Record<string, QueryValue> {
  return Object.assign(Object.create(null), req.query);
}
