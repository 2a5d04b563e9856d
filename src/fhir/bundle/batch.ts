import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { isOperationOutcomeError, outcome } from '../../problems/outcomes';
import { errorLogFields } from '../../logger';
import type { FhirService } from '../service';
import { executeEntry } from './execute-entry';
import type { UnparsableEntry } from './parse-bundle';
import type { BundleRequestEntry } from './parse-entry';
import { errorEntry, responseBundle, responseEntry } from './response';

const NO_IDENTITIES = new Map<string, string>();

/**
 * https://hl7.org/fhir/R4/http.html#transaction — a batch: entries are independent, each in
 * its own database transaction, in Bundle order. A failure becomes that entry's response.
 * Placeholder fullUrls are not resolved between entries (the spec forbids such dependencies).
 */
export async function runBatch(entries: readonly (BundleRequestEntry | UnparsableEntry)[], service: FhirService): Promise<Bundle> {
  const answers: BundleEntry[] = [];
  for (const entry of entries) {
    if ('failure' in entry) {
      answers.push(errorEntry(entry.failure));
      continue;
    }
    try {
      answers.push(responseEntry(entry, await service.transaction((tx) => executeEntry(entry, tx, NO_IDENTITIES))));
    } catch (err) {
      // Other entries have committed: an unexpected error must not hide their results.
      if (!isOperationOutcomeError(err)) service.logger?.error(errorLogFields(err), 'batch entry failed');
      answers.push(errorEntry(isOperationOutcomeError(err) ? err.outcome : outcome('serverError', 'An unexpected error occurred')));
    }
  }
  return responseBundle('batch-response', answers);
}
