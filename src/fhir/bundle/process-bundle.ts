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
  const { type, entries } = parseBundle(req, routes);
  // All or nothing: a transaction whose entries the caller may not all make is refused before any is.
  if (type === 'transaction') await service.permits(entries.flatMap(accessesOf));
  const resource = type === 'transaction' ? await runTransaction(entries, service) : await runBatch(entries, service);
  return { outcome: allOk(), resource };
}
