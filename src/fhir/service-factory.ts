import type { Logger } from '../logger';
import type { Db } from '../store/db';
import { Repository } from '../store/repository';
import type { ServiceHooks } from './access';
import { fhirIndexer } from './indexing/indexer';
import { FhirService, type Validator } from './service';

export interface ServiceFactoryDeps {
  db: Db;
  validator: Validator;
  hooks?: readonly ServiceHooks[];
  logger?: Logger;
}

/** Makes the FhirService acting for one tenant; the repository behind it is reachable only through it. */
export function fhirServiceFactory(deps: ServiceFactoryDeps): (tenantId: string) => FhirService {
  return (tenantId) =>
    new FhirService({ repo: new Repository(deps.db, tenantId, fhirIndexer), validator: deps.validator, hooks: deps.hooks, logger: deps.logger });
}
