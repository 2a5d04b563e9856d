import type { Logger } from '../logger';
import type { Db } from '../store/db';
import { ContendedResources } from '../store/contended-resources';
import { LatestVersions } from '../store/latest-versions';
import { Repository } from '../store/repository';
import type { ServiceHooks } from './access';
import { fhirIndexer } from './indexing/indexer';
import { FhirService, type FhirServiceDeps, type Validator } from './service';

export interface ServiceFactoryDeps {
  db: Db;
  validator: Validator;
  hooks?: readonly ServiceHooks[];
  logger?: Logger;
  statistics?: FhirServiceDeps['statistics'];
  countCostLimit?: number;
}

/**
 * Makes the FhirService acting for one tenant, with the factory's hooks and the caller's own
 * (scopes, audit); the repository behind it is reachable only through it.
 */
export function fhirServiceFactory(deps: ServiceFactoryDeps): (tenantId: string, callerHooks?: readonly ServiceHooks[]) => FhirService {
  const memory = { contended: new ContendedResources(), latest: new LatestVersions() };
  return (tenantId, callerHooks = []) =>
    new FhirService({
      repo: new Repository(deps.db, tenantId, fhirIndexer, memory),
      validator: deps.validator,
      hooks: [...(deps.hooks ?? []), ...callerHooks],
      logger: deps.logger,
      statistics: deps.statistics,
      countCostLimit: deps.countCostLimit,
    });
}
