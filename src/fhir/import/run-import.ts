import { isDeepStrictEqual } from 'node:util';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { errorLogFields } from '../../logger';
import { badRequest, isOperationOutcomeError, outcome, type Outcome } from '../../problems/outcomes';
import { isFhirId } from '../ids';
import { withoutServerFields } from '../server-fields';
import type { FhirService } from '../service';
import { isSupportedType } from '../validation/definitions';
import { settleConditionalReferences, type ResolvedReferences } from './conditional-references';
import { flattenBundle } from './flatten-bundle';
import { importId } from './import-ids';
import type { ImportItem, ImportLine, ImportReport, ImportSource } from './import-input';

/** Resources written per database transaction: one commit (one WAL flush) per chunk. */
const CHUNK = 200;

/**
 * Loads resources as they come (NDJSON lines, each a resource or a Bundle): each is stored
 * under its own id as a PUT would (validated, versioned, indexed, hooks run), an unchanged one
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

async function loadChunk(items: ImportItem[], service: FhirService, resolved: ResolvedReferences, report: ImportReport): Promise<void> {
  const stored = await storedContent(items, service);
  await service.transaction(async (tx) => {
    for (const { source, resource } of items) {
      const reference = `${resource.resourceType}/${resource.id}`;
      try {
        const settled = await settleConditionalReferences(resource, tx, resolved);
        if (isDeepStrictEqual(stored.get(reference), comparable(settled))) {
          report.unchanged++;
          continue;
        }
        const { created } = await tx.update(resource.resourceType, resource.id, settled);
        if (created) report.created++;
        else report.updated++;
        stored.set(reference, comparable(settled));
      } catch (err) {
        report.rejected.push({ source, reference, outcome: rejection(err, source, service) });
      }
    }
  });
}

/** What is stored now for the chunk's resources, without server fields, by `Type/id`. */
async function storedContent(items: ImportItem[], service: FhirService): Promise<Map<string, unknown>> {
  const idsByType = new Map<string, string[]>();
  for (const { resource } of items) idsByType.set(resource.resourceType, [...(idsByType.get(resource.resourceType) ?? []), resource.id]);
  const stored = new Map<string, unknown>();
  for (const [type, ids] of idsByType) {
    for (const version of await service.readMany(type, ids)) stored.set(`${type}/${version.resource.id}`, comparable(version.resource));
  }
  return stored;
}

const comparable = (resource: Resource): unknown => JSON.parse(JSON.stringify(withoutServerFields(resource)));

function rejection(err: unknown, source: ImportSource, service: FhirService): Outcome {
  if (isOperationOutcomeError(err)) return err.outcome;
  service.logger?.error({ line: source.line, entry: source.entry, ...errorLogFields(err) }, 'import: resource not stored');
  return outcome('serverError', 'The resource could not be stored');
}
