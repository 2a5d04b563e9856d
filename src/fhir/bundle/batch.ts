import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { isOperationOutcomeError, outcome, type Outcome } from '../../problems/outcomes';
import { errorLogFields, type Logger } from '../../logger';
import { isStatementTimeout } from '../../store/statement-timeout';
import { isDatabaseUnavailable } from '../../store/unavailable';
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
      answers.push(errorEntry(entryFailure(err, service.logger)));
    }
  }
  return responseBundle('batch-response', answers);
}

/** A failed entry's outcome: the database's own failures as the error funnel answers them for a whole request (503s). */
function entryFailure(err: unknown, logger: Logger | undefined): Outcome {
  if (isOperationOutcomeError(err)) return err.outcome;
  if (isStatementTimeout(err)) return outcome('timedOut', 'The entry ran longer than the server allows; narrow it or retry later');
  if (isDatabaseUnavailable(err)) return outcome('unavailable', 'The database is unavailable; retry the entry later');
  logger?.error(errorLogFields(err), 'batch entry failed');
  return outcome('serverError', 'An unexpected error occurred');
}
