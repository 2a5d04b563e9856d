import { applyPatch, validate as validatePatch, type Operation } from 'fast-json-patch';
import type { Resource } from '@medplum/fhirtypes';
import type { Logger } from '../logger';
import type { Repository, HistoryOptions, HistoryPage } from '../store/repository';
import type { StoredVersion } from '../store/rows';
import { assertValidId } from './ids';
import { badRequest, fail, preconditionFailed, unprocessable } from './outcomes';

export interface Validator {
  validate(resource: Resource): void;
}

/**
 * FHIR write and read semantics over the repository: every write is validated (base R4
 * and claimed profiles) before it is stored. Used by the REST handlers, bundles and /v1.
 */
export class FhirService {
  constructor(
    readonly repo: Repository,
    readonly validator: Validator,
    /** Where failures that do not surface as a response (a batch entry's) are reported. */
    readonly logger?: Logger,
  ) {}

  /** The same service bound to one database transaction. */
  transaction<T>(fn: (service: FhirService) => Promise<T>): Promise<T> {
    return this.repo.transaction((repo) => fn(new FhirService(repo, this.validator, this.logger)));
  }

  async create(resource: Resource): Promise<StoredVersion> {
    const body = withoutServerFields(resource);
    this.validator.validate(body);
    return this.repo.create(body);
  }

  read(resourceType: string, id: string): Promise<StoredVersion> {
    return this.repo.read(resourceType, id);
  }

  vread(resourceType: string, id: string, versionId: string): Promise<StoredVersion> {
    return this.repo.vread(resourceType, id, versionId);
  }

  /** Update, or create under the client's id when absent (update-as-create, docs/fhir-api.md). */
  async update(resourceType: string, id: string, resource: Resource, ifMatch?: string): Promise<{ version: StoredVersion; created: boolean }> {
    assertValidId(id);
    if (resource.resourceType !== resourceType) fail(badRequest(`resourceType must be ${resourceType}`, 'resourceType'));
    if (resource.id !== id) fail(badRequest(`Resource id must equal the id in the URL (${id})`, `${resourceType}.id`));
    const body = { ...withoutServerFields(resource), id } as Resource & { id: string };
    this.validator.validate(body);
    return this.repo.update(body, ifMatch);
  }

  /** https://hl7.org/fhir/R4/http.html#patch — JSON Patch applied to the current version. */
  async patch(resourceType: string, id: string, operations: unknown, ifMatch?: string): Promise<StoredVersion> {
    if (!Array.isArray(operations)) fail(badRequest('A JSON Patch body is an array of operations'));
    return this.repo.transaction(async (repo) => {
      const current = await repo.read(resourceType, id);
      if (ifMatch !== undefined && ifMatch !== current.versionId) {
        fail(preconditionFailed(`If-Match version ${ifMatch} is not the current version of ${resourceType}/${id}`));
      }
      const patched = applyJsonPatch(current.resource, operations as Operation[]);
      if (patched.resourceType !== resourceType || patched.id !== id) {
        fail(badRequest('A patch may not change resourceType or id'));
      }
      const service = new FhirService(repo, this.validator, this.logger);
      return (await service.update(resourceType, id, patched, current.versionId)).version;
    });
  }

  delete(resourceType: string, id: string, ifMatch?: string): Promise<void> {
    return this.repo.delete(resourceType, id, ifMatch);
  }

  history(resourceType: string, id: string | undefined, options: HistoryOptions): Promise<HistoryPage> {
    return this.repo.history(resourceType, id, options);
  }
}

/** The server owns versionId and lastUpdated; what a client sends there never takes effect. */
function withoutServerFields<T extends Resource>(resource: T): T {
  if (!resource.meta) return resource;
  const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta;
  const { meta: _m, ...rest } = resource;
  return (Object.keys(meta).length > 0 ? { ...rest, meta } : rest) as T;
}

function applyJsonPatch(resource: Resource, operations: Operation[]): Resource {
  const invalid = validatePatch(operations, resource);
  if (invalid) fail(unprocessable(`JSON Patch cannot be applied: ${invalid.message.split('\n')[0]}`, invalid.operation?.path));
  try {
    return applyPatch(structuredClone(resource), operations, true, false).newDocument;
  } catch (err) {
    return fail(unprocessable(`JSON Patch cannot be applied: ${(err as Error).message.split('\n')[0]}`));
  }
}
