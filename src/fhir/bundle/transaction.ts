import type { Bundle } from '@medplum/fhirtypes';
import { isOperationOutcomeError, OperationOutcomeError, type Outcome } from '../../problems/outcomes';
import type { FhirResult } from '../request';
import type { FhirService } from '../service';
import { executeEntry } from './execute-entry';
import type { BundleRequestEntry } from './parse-entry';
import { responseBundle, responseEntry } from './response';
import { transactionOrder } from './transaction-order';

/**
 * https://hl7.org/fhir/R4/http.html#transaction — every entry in one database transaction.
 * The first failing entry rolls everything back and its OperationOutcome, with its status, is
 * the answer to the whole request.
 */
export async function runTransaction(entries: readonly BundleRequestEntry[], service: FhirService): Promise<Bundle> {
  const order = transactionOrder(entries);
  const results = await service.transaction(async (tx) => {
    const identities = new Map<string, string>();
    const byEntry = new Map<BundleRequestEntry, FhirResult>();
    for (const entry of order) {
      const result = await executeEntry(entry, tx, identities).catch((err: unknown) => Promise.reject(naming(entry, err)));
      byEntry.set(entry, result);
      rememberIdentity(identities, entry, result);
    }
    return byEntry;
  });
  return responseBundle(
    'transaction-response',
    entries.map((entry) => responseEntry(entry, results.get(entry) as FhirResult)),
  );
}

/** A create's fullUrl now stands for the resource it made, or for the match of its ifNoneExist. */
function rememberIdentity(identities: Map<string, string>, entry: BundleRequestEntry, result: FhirResult): void {
  const resource = result.version?.resource;
  if (entry.fullUrl === undefined || entry.route.interaction !== 'create' || !resource) return;
  identities.set(entry.fullUrl, `${resource.resourceType}/${resource.id}`);
}

/** The entry's own error, with one more issue saying which entry it was. */
function naming(entry: BundleRequestEntry, err: unknown): unknown {
  if (!isOperationOutcomeError(err)) return err;
  const { kind, resource } = err.outcome;
  const where = `Bundle.entry[${entry.index}]`;
  const named: Outcome = {
    kind,
    resource: {
      ...resource,
      issue: [
        ...(resource.issue ?? []),
        { severity: 'information', code: 'informational', details: { text: `Failed entry: ${where} (${entry.method})` }, expression: [where] },
      ],
    },
  };
  return new OperationOutcomeError(named);
}
