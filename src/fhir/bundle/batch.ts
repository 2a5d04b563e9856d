import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { isOperationOutcomeError, outcome, type Outcome } from '../../problems/outcomes';
import { errorLogFields, type Logger } from '../../logger';
import { isStatementTimeout } from '../../store/statement-timeout';
import { isConcurrentConflict } from '../../store/concurrent-conflict';
import { CONCURRENT_CONFLICT_MESSAGE } from '../../problems/problem';
import { isDatabaseUnavailable } from '../../store/unavailable';
import type { FhirService } from '../service';
import { executeEntry } from './execute-entry';
import type { UnparsableEntry } from './parse-bundle';
import type { BundleRequestEntry } from './parse-entry';
import { errorEntry, responseBundle, responseEntry } from './response';
import { phasesOf } from './transaction-order';
import { isConditionalReference } from './conditional-reference';
import { referencesIn } from './references';

const NO_IDENTITIES = new Map<string, string>();

/** Entries of one phase started together: what reaches the store in one turn goes as one statement. */
const ENTRIES_AT_ONCE = 50;

/**
 * https://hl7.org/fhir/R4/http.html#transaction — a batch: entries are independent, and each runs
 * as the single-resource request would, atomic by itself. They run in the transaction's phases
 * (DELETE, POST, PUT/PATCH, GET), the order the spec considers a batch executed in. Within a
 * phase the entries that name their target run together, up to ENTRIES_AT_ONCE at a time, so
 * that their reads and writes reach the database as a few statements rather than three round
 * trips each; then, one at a time in Bundle order, those that find their target or their
 * references by a search (`dependsOnSearch`), which see what the others wrote. A failure becomes
 * that entry's response. Placeholder fullUrls are not resolved between entries.
 */
export async function runBatch(entries: readonly (BundleRequestEntry | UnparsableEntry)[], service: FhirService): Promise<Bundle> {
  const answers = new Map<BundleRequestEntry | UnparsableEntry, BundleEntry>();
  const runnable: BundleRequestEntry[] = [];
  for (const entry of entries) {
    if ('failure' in entry) answers.set(entry, errorEntry(entry.failure));
    else runnable.push(entry);
  }
  const answer = async (entry: BundleRequestEntry): Promise<void> => {
    answers.set(entry, await answerOf(entry, service));
  };
  for (const phase of phasesOf(runnable)) {
    const together = phase.filter((entry) => !dependsOnSearch(entry));
    for (let start = 0; start < together.length; start += ENTRIES_AT_ONCE) await Promise.all(together.slice(start, start + ENTRIES_AT_ONCE).map(answer));
    for (const entry of phase.filter(dependsOnSearch)) await answer(entry);
  }
  return responseBundle(
    'batch-response',
    entries.map((entry) => answers.get(entry)!),
  );
}

/**
 * A write whose target or references are found by a search: a conditional create, update, patch
 * or delete, or a body with a conditional reference (`Patient?identifier=…`). Such a search
 * should not see another entry of the batch (the spec forbids the dependency), but a client
 * may count on it, and did when entries ran one after the other.
 */
function dependsOnSearch({ method, request }: BundleRequestEntry): boolean {
  if (method === 'GET') return false;
  return request.ifNoneExist !== undefined || Object.keys(request.query).length > 0 || referencesIn(request.body).some(isConditionalReference);
}

async function answerOf(entry: BundleRequestEntry, service: FhirService): Promise<BundleEntry> {
  try {
    return responseEntry(entry, await executeEntry(entry, service, NO_IDENTITIES));
  } catch (err) {
    // Other entries have committed: an unexpected error must not hide their results.
    return errorEntry(entryFailure(err, service.logger));
  }
}

/** A failed entry's outcome: the database's own failures as the error funnel answers them for a whole request (503s). */
function entryFailure(err: unknown, logger: Logger | undefined): Outcome {
  if (isOperationOutcomeError(err)) return err.outcome;
  if (isStatementTimeout(err)) return outcome('timedOut', 'The entry ran longer than the server allows; narrow it or retry later');
  if (isDatabaseUnavailable(err)) return outcome('unavailable', 'The database is unavailable; retry the entry later');
  if (isConcurrentConflict(err)) return outcome('conflict', CONCURRENT_CONFLICT_MESSAGE);
  logger?.error(errorLogFields(err), 'batch entry failed');
  return outcome('serverError', 'An unexpected error occurred');
}
