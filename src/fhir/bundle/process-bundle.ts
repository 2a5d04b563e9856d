import { allOk } from '../../problems/outcomes';
import type { FhirRequest, FhirResult } from '../request';
import type { FhirRoute } from '../request';
import type { FhirService } from '../service';
import { runBatch } from './batch';
import { accessesOf } from './entry-access';
import { parseBundle } from './parse-bundle';
import { runTransaction } from './transaction';

/**
 * `POST [base]` with a batch or transaction Bundle (https://hl7.org/fhir/R4/http.html#transaction).
 * Entries are served by the handlers of `routes`, the same table the HTTP layer mounts.
 */
export async function processBundle(req: FhirRequest, service: FhirService, routes: readonly FhirRoute[]): Promise<FhirResult> {
  const bundle = parseBundle(req, routes);
  if (bundle.type === 'batch') return { outcome: allOk(), resource: await runBatch(bundle.entries, service) };
  // All or nothing: a transaction whose entries the caller may not all make is refused before any is.
  await service.permits(bundle.entries.flatMap(accessesOf));
  return { outcome: allOk(), resource: await runTransaction(bundle.entries, service) };
}
