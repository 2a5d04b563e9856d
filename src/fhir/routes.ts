import {
  conditionalUpdateResource,
  createResource,
  deleteResource,
  patchResource,
  readResource,
  resourceHistory,
  updateResource,
  vreadResource,
} from './interactions';
import { processBundle } from './bundle/process-bundle';
import { importOperation } from './import/import-operation';
import type { FhirRoute } from './request';
import { searchType } from './search/handler';
import { validateOperation } from './validate-operation';

/**
 * The one table of type- and instance-level FHIR routes: the HTTP layer mounts exactly
 * these, and /metadata is derived from them.
 */
export const FHIR_ROUTES: FhirRoute[] = [
  { method: 'post', path: '/\\$import', handler: importOperation },
  { method: 'post', path: '/:type/\\$validate', handler: validateOperation, operation: 'validate' },
  { method: 'get', path: '/:type/_history', handler: resourceHistory, interaction: 'history-type' },
  { method: 'get', path: '/:type/_search', handler: searchType, interaction: 'search-type' },
  { method: 'post', path: '/:type/_search', handler: searchType, interaction: 'search-type' },
  { method: 'get', path: '/:type', handler: searchType, interaction: 'search-type' },
  { method: 'post', path: '/:type', handler: createResource, interaction: 'create' },
  { method: 'put', path: '/:type', handler: conditionalUpdateResource, interaction: 'update' },
  { method: 'get', path: '/:type/:id', handler: readResource, interaction: 'read' },
  { method: 'put', path: '/:type/:id', handler: updateResource, interaction: 'update' },
  { method: 'patch', path: '/:type/:id', handler: patchResource, interaction: 'patch' },
  { method: 'delete', path: '/:type/:id', handler: deleteResource, interaction: 'delete' },
  { method: 'get', path: '/:type/:id/_history', handler: resourceHistory, interaction: 'history-instance' },
  { method: 'get', path: '/:type/:id/_history/:vid', handler: vreadResource, interaction: 'vread' },
  { method: 'post', path: '/', handler: (req, service) => processBundle(req, service, FHIR_ROUTES), interaction: 'transaction', alsoServes: ['batch'] },
];
