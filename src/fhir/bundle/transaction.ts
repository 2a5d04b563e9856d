import type { Bundle, Resource } from '@medplum/fhirtypes';
import { isOperationOutcomeError, OperationOutcomeError, type Outcome } from '../../problems/outcomes';
import { newResourceId } from '../ids';
import type { FhirResult } from '../request';
import { resourceBody } from '../interactions';
import { BatchItemError, type FhirService } from '../service';
import { writeResult } from '../write-result';
import { executeEntry, resolvedBody, type Identities } from './execute-entry';
import type { BundleRequestEntry } from './parse-entry';
import { responseBundle, responseEntry } from './response';
import { isPlainCreate, transactionPhases } from './transaction-order';

/**
 * https://hl7.org/fhir/R4/http.html#transaction — every entry in one database transaction.
 * The first failing entry rolls everything back and its OperationOutcome, with its status, is
 * the answer to the whole request. Plain creates (POST without `ifNoneExist`) get their ids up
 * front and are written together (FhirService.createMany).
 */
export async function runTransaction(entries: readonly BundleRequestEntry[], service: FhirService): Promise<Bundle> {
  const phases = transactionPhases(entries);
  const run = async (tx: FhirService): Promise<Map<BundleRequestEntry, FhirResult>> => {
    const ids = new Map(entries.filter(isPlainCreate).map((entry) => [entry, newResourceId()]));
    const identities = new Map<string, string>();
    for (const [entry, id] of ids) if (entry.fullUrl !== undefined) identities.set(entry.fullUrl, `${entry.request.resourceType}/${id}`);
    const byEntry = new Map<BundleRequestEntry, FhirResult>();
    const changed = changedByName(entries);
    // Entries lock their resources one by one in phase order; locked first, all together, in the
    // order every write of several locks them, they cannot deadlock with another such write.
    if (changed.length > 1) await tx.lockCurrent(changed);
    for (const phase of phases) {
      for (const entry of phase.filter((e) => !ids.has(e))) {
        const result = await executeEntry(entry, tx, identities).catch((err: unknown) => Promise.reject(naming(entry, err)));
        byEntry.set(entry, result);
        rememberIdentity(identities, entry, result);
      }
      const creates = phase.filter((e) => ids.has(e));
      if (creates.length > 0) (await createTogether(creates, ids, tx, identities)).forEach((result, i) => byEntry.set(creates[i]!, result));
    }
    return byEntry;
  };
  // Creates alone are written by one statement, atomic by itself (FhirService.createMany).
  const results = entries.every(isPlainCreate) ? await run(service) : await service.transaction(run);
  return responseBundle(
    'transaction-response',
    entries.map((entry) => responseEntry(entry, results.get(entry) as FhirResult)),
  );
}

/** The resources that updates, patches and deletions name by id: the rows the transaction will lock. */
function changedByName(entries: readonly BundleRequestEntry[]): { resourceType: string; id: string }[] {
  return entries.flatMap(({ route, request: { resourceType, id } }) =>
    CHANGES_BY_NAME.has(route.interaction) && resourceType !== undefined && id !== undefined ? [{ resourceType, id }] : [],
  );
}

const CHANGES_BY_NAME: ReadonlySet<string | undefined> = new Set(['update', 'patch', 'delete']);

/** Creates under their assigned ids, in one batch; a refusal names its entry. */
async function createTogether(
  entries: readonly BundleRequestEntry[],
  ids: ReadonlyMap<BundleRequestEntry, string>,
  service: FhirService,
  identities: Identities,
): Promise<FhirResult[]> {
  const items: { resource: Resource; id: string }[] = [];
  for (const entry of entries) {
    try {
      const body = await resolvedBody(entry, service, identities);
      items.push({ resource: resourceBody({ ...entry.request, body }), id: ids.get(entry)! });
    } catch (err) {
      throw naming(entry, err);
    }
  }
  const versions = await service
    .createMany(items)
    .catch((err: unknown) => Promise.reject(err instanceof BatchItemError ? naming(entries[err.index]!, err.failure) : err));
  return versions.map((version) => writeResult(version, true));
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
