import type { Bundle, Resource } from '@medplum/fhirtypes';
import { errorLogFields } from '../../logger';
import { badRequest, isOperationOutcomeError, outcome, type Outcome } from '../../problems/outcomes';
import { isFhirId } from '../ids';
import type { FhirService, LoadOutcome } from '../service';
import { isSupportedType } from '../validation/definitions';
import { pendingIdentifiers, settleConditionalReferences, type ResolvedReferences } from './conditional-references';
import { flattenBundle } from './flatten-bundle';
import { importId } from './import-ids';
import type { ImportItem, ImportLine, ImportReport, ImportSource } from './import-input';

/** Resources written per batch: one transaction, one commit and one statement per table. */
const CHUNK = 500;

/**
 * Loads resources as they come (NDJSON lines, each a resource or a Bundle): each is stored
 * under its own id as a PUT would (validated, versioned, indexed, hooks run), in batches; an unchanged one
 * is left as it is, a type this server does not store is skipped and counted, and a rejected
 * one is reported without stopping the others. Loading the same input twice stores nothing new.
 */
export async function runImport(lines: readonly ImportLine[], service: FhirService): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, skipped: {}, rejected: [] };
  const items: ImportItem[] = [];
  for (const line of lines) {
    if ('failure' in line) report.rejected.push({ source: { line: line.line }, outcome: line.failure });
    else for (const item of await itemsOf(line.value, line.line, report)) items.push(item);
  }
  const resolved: ResolvedReferences = new Map();
  for (let i = 0; i < items.length; i += CHUNK) await loadChunk(items.slice(i, i + CHUNK), service, resolved, report);
  return report;
}

async function itemsOf(value: unknown, line: number, report: ImportReport): Promise<ImportItem[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as Resource).resourceType !== 'string') {
    report.rejected.push({ source: { line }, outcome: badRequest('A line must hold one FHIR resource (a JSON object with a resourceType)', 'resourceType') });
    return [];
  }
  const resource = value as Resource;
  const found =
    resource.resourceType === 'Bundle'
      ? await flattenBundle(resource as Bundle, line)
      : [{ source: { line }, resource: { ...resource, id: importId(resource) } }];
  return found.filter(({ source, resource: r }) => {
    if (!isSupportedType(r.resourceType)) {
      report.skipped[r.resourceType] = (report.skipped[r.resourceType] ?? 0) + 1;
      return false;
    }
    if (!isFhirId(r.id)) report.rejected.push({ source, outcome: badRequest(`"${r.id.slice(0, 70)}" is not a valid FHIR id`, `${r.resourceType}.id`) });
    return isFhirId(r.id);
  });
}

/**
 * Stores a chunk in one batch (one transaction, one statement per table). When the batch fails
 * as a whole — a business key taken, a hook refusing one resource, a concurrent write — or names
 * one resource twice, its resources are stored one by one instead, each in a savepoint of its
 * own, so that only the resource at fault is rejected.
 */
async function loadChunk(items: ImportItem[], service: FhirService, resolved: ResolvedReferences, report: ImportReport): Promise<void> {
  const pending = pendingIdentifiers(items.map((item) => item.resource));
  const settled: ImportItem[] = [];
  for (const { source, resource } of items) {
    try {
      settled.push({ source, resource: await settleConditionalReferences(resource, service, resolved, pending) });
    } catch (err) {
      report.rejected.push({ source, reference: referenceOf(resource), outcome: rejection(err, source, service) });
    }
  }
  const distinct = new Set(settled.map(({ resource }) => referenceOf(resource))).size === settled.length;
  if (distinct) {
    try {
      tally(settled, await service.loadMany(settled.map((item) => item.resource)), report, service);
      return;
    } catch {
      // Stored one by one below: each resource's own outcome says what failed.
    }
  }
  await service.transaction(async (tx) => {
    for (const item of settled) {
      // loadMany writes in a savepoint of its own: a failure undoes this resource only.
      const outcomes = await tx.loadMany([item.resource]).catch((error: unknown) => [{ status: 'rejected' as const, error }]);
      tally([item], outcomes, report, service);
    }
  });
}

function tally(items: readonly ImportItem[], outcomes: readonly LoadOutcome[], report: ImportReport, service: FhirService): void {
  for (const [i, outcome] of outcomes.entries()) {
    const { source, resource } = items[i]!;
    if (outcome.status === 'rejected') report.rejected.push({ source, reference: referenceOf(resource), outcome: rejection(outcome.error, source, service) });
    else report[outcome.status]++;
  }
}

const referenceOf = (resource: Resource & { id: string }): string => `${resource.resourceType}/${resource.id}`;

function rejection(err: unknown, source: ImportSource, service: FhirService): Outcome {
  if (isOperationOutcomeError(err)) return err.outcome;
  service.logger?.error({ line: source.line, entry: source.entry, ...errorLogFields(err) }, 'import: resource not stored');
  return outcome('serverError', 'The resource could not be stored');
}
