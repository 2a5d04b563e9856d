import { isDeepStrictEqual } from 'node:util';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { Logger } from '../logger';
import { badRequest, fail, notFound, OperationOutcomeError, preconditionFailed, ResourceOutcomeError, unprocessable } from '../problems/outcomes';
import type { Db } from '../store/db';
import type { ExportPageQuery, HistoryOptions, HistoryPage, Repository } from '../store/repository';
import type { StoredVersion } from '../store/rows';
import type { StatisticsKeeper } from '../store/statistics';
import type { SearchQuery } from '../store/search/query';
import { searchResources, type SearchResult } from '../store/search/search';
import type { Access, ServiceHooks } from './access';
import { assertValidId, isFhirId, newResourceId } from './ids';
import { applyJsonPatch } from './json-patch';
import { localReferences } from './local-references';
import { withoutServerFields } from './server-fields';

export interface Validator {
  /** Throws on an invalid resource; returns what it noted without refusing it (warnings). */
  validate(resource: Resource): OperationOutcomeIssue[];
}

/** A version just written, with the warnings its validation noted (an unknown profile claim, say). */
export interface WrittenVersion extends StoredVersion {
  issues: OperationOutcomeIssue[];
}

export interface FhirServiceDeps {
  repo: Repository;
  validator: Validator;
  hooks?: readonly ServiceHooks[];
  /** Where failures that do not surface as a response (a batch entry's) are reported. */
  logger?: Logger;
  /** Planner statistics, brought up to date at the end of a bulk load (statistics.ts). */
  statistics?: Pick<StatisticsKeeper, 'bulkLoad'>;
  /** The planner cost above which a search's bounded count is not run (`SEARCH_COUNT_COST_LIMIT`, docs/search.md). */
  countCostLimit?: number;
}

/** What `loadMany` did with one resource. */
export type LoadOutcome = { status: 'created' | 'updated' | 'unchanged' } | { status: 'rejected'; error: unknown };

/** Accesses whose after-commit hooks wait for the outermost transaction; a rollback fails them instead. */
type Deferred = { access: Access; versions: readonly StoredVersion[] }[];

/** The failure of the resource at `index` of a `createMany`. */
export class BatchItemError extends Error {
  constructor(
    readonly index: number,
    readonly failure: unknown,
  ) {
    super(`Resource ${index} of the batch was refused`);
    this.name = 'BatchItemError';
  }
}

/** Version ids are PostgreSQL integers; a larger number names no version. */
const MAX_VERSION_ID = 2 ** 31 - 1;

/** Errors already reported to `failed` hooks, so an enclosing access does not report them again. */
const reported = new WeakSet<object>();

const one = (version: StoredVersion): StoredVersion[] => [version];
const all = (versions: StoredVersion[]): StoredVersion[] => versions;
const page = (result: { versions: StoredVersion[] }): StoredVersion[] => result.versions;
const everything = (result: SearchResult): StoredVersion[] => [...result.versions, ...result.included];

/** A resource as compared for "unchanged": its JSON without server fields. */
const comparable = (resource: Resource): unknown => JSON.parse(JSON.stringify(withoutServerFields(resource)));

/**
 * The one way to stored resources: every read, search, history, match and write of REST
 * handlers, bundle entries and /v1 use cases goes through here, so hooks see all of them.
 * Every write is validated (base R4 and claimed profiles) before it is stored.
 */
export class FhirService {
  private readonly repo: Repository;
  private readonly hooks: readonly ServiceHooks[];
  readonly logger?: Logger;

  constructor(
    private readonly deps: FhirServiceDeps,
    /** Set inside a transaction: after-commit work waits here. */
    private readonly deferred?: Deferred,
  ) {
    this.repo = deps.repo;
    this.hooks = deps.hooks ?? [];
    this.logger = deps.logger;
  }

  /** Runs a bulk load, answered once the planner's statistics caught up with what it wrote, before the caller searches. */
  bulkLoad<T>(load: () => Promise<T>): Promise<T> {
    return this.deps.statistics?.bulkLoad(load) ?? load();
  }

  get tenantId(): string {
    return this.repo.tenantId;
  }

  /** The database handle (a transaction inside `transaction`), for hooks whose rows commit with a write. */
  get db(): Db {
    return this.repo.db as Db;
  }

  /** The same service bound to one database transaction (a savepoint inside another). */
  async transaction<T>(fn: (service: FhirService) => Promise<T>): Promise<T> {
    const deferred: Deferred = [];
    try {
      const result = await this.repo.transaction((repo) => fn(new FhirService({ ...this.deps, repo }, deferred)));
      if (this.deferred) this.deferred.push(...deferred);
      else for (const { access, versions } of deferred) this.notify('afterCommit', access, versions);
      return result;
    } catch (err) {
      for (const { access } of deferred) this.notify('failed', access, err);
      throw err;
    }
  }

  /** Runs the `before` hooks for accesses about to be made, so a refusal comes before any of them. */
  async permits(accesses: readonly Access[]): Promise<void> {
    for (const access of accesses) await this.before(access);
  }

  /** Locks the current rows of these resources until the surrounding transaction ends, in the order every write of several locks them. */
  lockCurrent(targets: readonly { resourceType: string; id: string }[]): Promise<void> {
    return this.repo.lockRows(targets);
  }

  /** Serialises work on one key (within the tenant) until the surrounding transaction ends. */
  lock(key: string): Promise<void> {
    return this.repo.lock(key);
  }

  /** https://hl7.org/fhir/R4/http.html#create — the server assigns a UUID. */
  create(resource: Resource): Promise<WrittenVersion> {
    return this.createMany([{ resource, id: newResourceId() }]).then(
      ([version]) => version!,
      (err: unknown) => Promise.reject(err instanceof BatchItemError ? err.failure : err),
    );
  }

  /**
   * Creates resources under ids the caller assigned (a transaction's entries, which may point
   * at one another), each as `create` would — hooks, validation of the resource as sent (an id
   * it carries is checked, then replaced), tenancy, versions, index — in one transaction and one
   * statement per table. The first one refused fails them all, with a `BatchItemError` saying
   * which and why.
   */
  async createMany(items: readonly { resource: Resource; id: string }[]): Promise<WrittenVersion[]> {
    const accesses = items.map(({ resource }): Access => ({ kind: 'create', resourceType: resource.resourceType }));
    const prepared: { body: Resource & { id: string }; issues: OperationOutcomeIssue[] }[] = [];
    for (const [index, { resource, id }] of items.entries()) {
      prepared.push(
        await this.itemFailing(index, accesses[index]!, async () => {
          await this.before(accesses[index]!);
          const body = withoutServerFields(resource);
          const issues = this.deps.validator.validate(body);
          return { body: { ...body, id } as Resource & { id: string }, issues };
        }),
      );
    }
    const problems = await this.foreignReferenceProblems(prepared.map((p) => p.body));
    const refused = problems.findIndex((problem) => problem !== undefined);
    if (refused >= 0) await this.itemFailing(refused, accesses[refused]!, () => Promise.reject(problems[refused]));
    const store = async (tx: FhirService): Promise<WrittenVersion[]> => {
      const versions = await tx.repo.writeVersions(prepared.map(({ body }) => ({ resource: body, previous: undefined }))).catch((err: unknown) => {
        const index = err instanceof ResourceOutcomeError ? prepared.findIndex(({ body }) => `${body.resourceType}/${body.id}` === err.reference) : -1;
        return index < 0 ? Promise.reject(err) : this.itemFailing(index, accesses[index]!, () => Promise.reject(err));
      });
      for (const [index, version] of versions.entries()) {
        const stored: Access = { ...accesses[index]!, id: version.resource.id };
        await this.itemFailing(index, stored, () => this.runStoredHooks(stored, version, tx));
        tx.defer(stored, [version]);
      }
      return versions.map((version, index) => ({ ...version, issues: prepared[index]!.issues }));
    };
    // New resources are written by one statement, atomic by itself: BEGIN and COMMIT would be two
    // more round trips. In a caller's transaction they join it without a savepoint of their own:
    // a refusal fails the caller, whose transaction can then only roll back.
    const ownTransaction = !this.repo.db.isTransaction && prepared.some(({ body }, index) => this.hooksWriteFor(accesses[index]!, body));
    return ownTransaction ? this.transaction(store) : store(this);
  }

  /** Whether an `onStored` hook writes rows for this access, which must then commit with it; with no resource known yet, whether one may. */
  private hooksWriteFor(access: Access, resource: Resource | undefined): boolean {
    return this.hooks.some((hook) => hook.onStored && (resource === undefined || (hook.writesFor?.(access, resource) ?? true)));
  }

  /** https://hl7.org/fhir/R4/http.html#read */
  read(resourceType: string, id: string): Promise<StoredVersion> {
    return this.readAccess({ kind: 'read', resourceType, id }, one, () => {
      if (!isFhirId(id)) fail(notFound(`${resourceType}/${id.slice(0, 70)} not found`));
      return this.repo.read(resourceType, id);
    });
  }

  /** Several current resources of one type; missing, deleted and malformed ids are left out. */
  readMany(resourceType: string, ids: string[]): Promise<StoredVersion[]> {
    return this.readAccess({ kind: 'read', resourceType }, all, () => this.repo.readMany(resourceType, ids.filter(isFhirId)));
  }

  /** https://hl7.org/fhir/R4/http.html#vread */
  vread(resourceType: string, id: string, versionId: string): Promise<StoredVersion> {
    return this.readAccess({ kind: 'vread', resourceType, id }, one, () => {
      const version = /^\d{1,10}$/.test(versionId) ? Number(versionId) : 0;
      if (!isFhirId(id) || version < 1 || version > MAX_VERSION_ID) {
        fail(notFound(`${resourceType}/${id.slice(0, 70)}/_history/${versionId.slice(0, 20)} not found`));
      }
      return this.repo.vread(resourceType, id, version);
    });
  }

  /** Update, or create under the client's id when absent (update-as-create, docs/fhir-api.md). */
  update(resourceType: string, id: string, resource: Resource, ifMatch?: string): Promise<{ version: WrittenVersion; created: boolean }> {
    let created = false;
    return this.write({ kind: 'update', resourceType, id }, resource, async (tx) => {
      const result = await tx.updateUnhooked(resourceType, id, resource, ifMatch);
      created = result.created;
      return result.version;
    }).then((version) => ({ version, created }));
  }

  /**
   * Stores resources under their ids as a PUT of each would (scopes, validation, tenancy,
   * versions, index, hooks), in one transaction and one statement per table whatever their
   * number; one whose content equals what is stored (server fields aside) is left as it is.
   * A resource refused on its own (scopes, validation, a foreign reference) comes back
   * `rejected`; a failure of the write itself (a key taken, a hook refusing, a concurrent
   * create) rolls the whole batch back and is thrown, so the caller can store them one by one.
   */
  async loadMany(resources: readonly (Resource & { id: string })[]): Promise<LoadOutcome[]> {
    const outcomes: LoadOutcome[] = [];
    const accepted: { index: number; access: Access; body: Resource & { id: string } }[] = [];
    for (const [index, resource] of resources.entries()) {
      const access: Access = { kind: 'update', resourceType: resource.resourceType, id: resource.id };
      try {
        await this.before(access);
        assertValidId(resource.id);
        const body = withoutServerFields(resource);
        this.deps.validator.validate(body);
        accepted.push({ index, access, body });
        outcomes.push({ status: 'unchanged' });
      } catch (err) {
        this.notify('failed', access, err);
        outcomes.push({ status: 'rejected', error: err });
      }
    }
    const problems = await this.foreignReferenceProblems(accepted.map((a) => a.body));
    const writable = accepted.filter(({ index, access }, i) => {
      const problem = problems[i];
      if (problem) {
        this.notify('failed', access, problem);
        outcomes[index] = { status: 'rejected', error: problem };
      }
      return !problem;
    });
    await this.transaction(async (tx) => {
      const current = await tx.repo.lockCurrent(writable.map((w) => w.body));
      const changed = writable.filter(({ body }) => {
        const previous = current.get(`${body.resourceType}/${body.id}`);
        return !previous || previous.deleted || !isDeepStrictEqual(comparable(previous.content), comparable(body));
      });
      const versions = await tx.repo.writeVersions(changed.map(({ body }) => ({ resource: body, previous: current.get(`${body.resourceType}/${body.id}`) })));
      for (const [i, { access }] of changed.entries()) await this.runStoredHooks(access, versions[i]!, tx);
      // Deferred only once every hook has run: a batch rolled back has reported no access.
      for (const [i, { index, access, body }] of changed.entries()) {
        const previous = current.get(`${body.resourceType}/${body.id}`);
        outcomes[index] = { status: !previous || previous.deleted ? 'created' : 'updated' };
        tx.defer(access, [versions[i]!]);
      }
    });
    return outcomes;
  }

  /** https://hl7.org/fhir/R4/http.html#patch — JSON Patch applied to the current version. */
  patch(resourceType: string, id: string, operations: unknown, ifMatch?: string): Promise<WrittenVersion> {
    if (!Array.isArray(operations)) fail(badRequest('A JSON Patch body is an array of operations'));
    return this.write({ kind: 'patch', resourceType, id }, undefined, async (tx) => {
      const current = await tx.repo.read(resourceType, assertValidId(id));
      if (ifMatch !== undefined && ifMatch !== current.versionId) {
        fail(preconditionFailed(`If-Match version ${ifMatch} is not the current version of ${resourceType}/${id}`));
      }
      const patched = applyJsonPatch(current.resource, operations);
      if (patched.resourceType !== resourceType || patched.id !== id) fail(badRequest('A patch may not change resourceType or id'));
      return (await tx.updateUnhooked(resourceType, id, patched, current.versionId)).version;
    });
  }

  /** https://hl7.org/fhir/R4/http.html#delete — deleting twice is a no-op. */
  delete(resourceType: string, id: string, ifMatch?: string): Promise<void> {
    const access: Access = { kind: 'delete', resourceType, id };
    return this.failing(access, async () => {
      await this.before(access);
      if (!isFhirId(id)) fail(notFound(`${resourceType}/${id.slice(0, 70)} not found`));
      await this.soleOrInTransaction(access, { resourceType, id } as Resource, async (tx) => {
        await tx.repo.delete(resourceType, id, ifMatch);
        tx.defer(access, []);
      });
    });
  }

  /** https://hl7.org/fhir/R4/http.html#history — instance level when `id` is given. */
  history(resourceType: string, id: string | undefined, options: HistoryOptions): Promise<HistoryPage> {
    return this.readAccess({ kind: 'history', resourceType, id }, page, async () => {
      if (id !== undefined && !isFhirId(id)) fail(notFound(`${resourceType}/${id.slice(0, 70)} not found`));
      return this.repo.history(resourceType, id, options);
    });
  }

  /** https://hl7.org/fhir/R4/search.html — matches of one type, with the resources `_include` may add. */
  search(resourceType: string, query: SearchQuery, parameters?: string[]): Promise<SearchResult> {
    const mayInclude = (type: string): boolean => this.hooks.every((hook) => hook.mayInclude?.(type) ?? true);
    return this.readAccess({ kind: 'search', resourceType, parameters }, everything, async () => {
      const { countUpTo } = query;
      const costLimit = this.deps.countCostLimit;
      const bounded = countUpTo && costLimit !== undefined ? { ...query, countUpTo: { ...countUpTo, costLimit } } : query;
      const result = await searchResources(this.repo, resourceType, bounded);
      return { ...result, included: result.included.filter((v) => mayInclude(v.resourceType)) };
    });
  }

  /**
   * One page of a Bulk Data export (docs/bulk-export.md): current resources of one type in id
   * order. https://hl7.org/fhir/uv/bulkdata/export.html
   */
  exportPage(resourceType: string, query: ExportPageQuery): Promise<StoredVersion[]> {
    return this.readAccess({ kind: 'export', resourceType }, all, () => this.repo.exportPage(resourceType, query));
  }

  /** The write pipeline without the write (`$validate`): the warnings a write would note. */
  validate(resource: Resource): Promise<OperationOutcomeIssue[]> {
    const access: Access = { kind: 'validate', resourceType: resource.resourceType };
    return this.failing(access, async () => {
      await this.before(access);
      const issues = this.deps.validator.validate(withoutServerFields(resource));
      this.defer(access, []);
      return issues;
    });
  }

  private async updateUnhooked(resourceType: string, id: string, resource: Resource, ifMatch?: string): Promise<{ version: WrittenVersion; created: boolean }> {
    assertValidId(id);
    if (resource.resourceType !== resourceType) fail(badRequest(`resourceType must be ${resourceType}`, 'resourceType'));
    if (resource.id !== id) fail(badRequest(`Resource id must equal the id in the URL (${id})`, `${resourceType}.id`));
    const body = { ...withoutServerFields(resource), id } as Resource & { id: string };
    const issues = this.deps.validator.validate(body);
    await this.refuseForeignReferences(body);
    const { version, created } = await this.repo.update(body, ifMatch);
    return { version: { ...version, issues }, created };
  }

  /** 422 naming the element when a reference points at another tenant's resource. */
  private async refuseForeignReferences(resource: Resource): Promise<void> {
    const [problem] = await this.foreignReferenceProblems([resource]);
    if (problem) throw problem;
  }

  /**
   * For each resource, the 422 naming its first reference to another tenant's resource, or
   * undefined; one lookup for all. References among the resources themselves (itself too) are
   * to this tenant's resources once they are written.
   */
  private async foreignReferenceProblems(resources: readonly Resource[]): Promise<(Error | undefined)[]> {
    const batch = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    const references = resources.map((r) => localReferences(r).filter((ref) => !batch.has(`${ref.resourceType}/${ref.id}`)));
    const foreign = new Set((await this.repo.foreignOnly(references.flat())).map((f) => `${f.resourceType}/${f.id}`));
    return references.map((list) => {
      const first = list.find((r) => foreign.has(`${r.resourceType}/${r.id}`));
      return (
        first &&
        new OperationOutcomeError(unprocessable(`${first.resourceType}/${first.id} is not a resource of this tenant and cannot be referenced`, first.path))
      );
    });
  }

  /** A write of one resource (`resource`, when known before it is stored), its hooks run beside it. */
  private write<V extends StoredVersion>(access: Access, resource: Resource | undefined, store: (tx: FhirService) => Promise<V>): Promise<V> {
    return this.failing(access, async () => {
      await this.before(access);
      return this.soleOrInTransaction(access, resource, async (tx) => {
        const version = await store(tx);
        const stored = { ...access, id: version.resource.id };
        await this.runStoredHooks(stored, version, tx);
        tx.defer(stored, [version]);
        return version;
      });
    });
  }

  /**
   * Runs a write in a transaction (a savepoint inside another) when a hook writes beside it;
   * otherwise as it is: the store makes a write of one resource atomic by itself, in one
   * statement where it can, where BEGIN and COMMIT would be two more round trips.
   */
  private soleOrInTransaction<T>(access: Access, resource: Resource | undefined, run: (tx: FhirService) => Promise<T>): Promise<T> {
    return this.repo.db.isTransaction || this.hooksWriteFor(access, resource) ? this.transaction(run) : run(this);
  }

  /** The `onStored` hooks of a version just written, inside the write's transaction `tx`. */
  private async runStoredHooks(access: Access, version: StoredVersion, tx: FhirService): Promise<void> {
    for (const hook of this.hooks) await hook.onStored?.(access, version, tx);
  }

  private readAccess<T>(access: Access, versionsOf: (result: T) => readonly StoredVersion[], run: () => Promise<T>): Promise<T> {
    return this.failing(access, async () => {
      await this.before(access);
      const result = await run();
      this.defer(access, versionsOf(result));
      return result;
    });
  }

  /** Runs an access; when it fails before being deferred, the `failed` hooks hear of it. */
  private async failing<T>(access: Access, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!reported.has(err as object)) this.notify('failed', access, err);
      throw err;
    }
  }

  /** `failing`, for the resource at `index` of a batch: its failure comes out as a `BatchItemError`. */
  private async itemFailing<T>(index: number, access: Access, run: () => Promise<T>): Promise<T> {
    try {
      return await this.failing(access, run);
    } catch (err) {
      throw new BatchItemError(index, err);
    }
  }

  private async before(access: Access): Promise<void> {
    for (const hook of this.hooks) await hook.before?.(access);
  }

  private defer(access: Access, versions: readonly StoredVersion[]): void {
    if (this.deferred) this.deferred.push({ access, versions });
    else this.notify('afterCommit', access, versions);
  }

  private notify(point: 'afterCommit', access: Access, versions: readonly StoredVersion[]): void;
  private notify(point: 'failed', access: Access, error: unknown): void;
  private notify(point: 'afterCommit' | 'failed', access: Access, detail: unknown): void {
    for (const hook of this.hooks) {
      if (point === 'afterCommit') hook.afterCommit?.(access, detail as readonly StoredVersion[]);
      else hook.failed?.(access, detail);
    }
    if (point === 'failed' && typeof detail === 'object' && detail !== null) reported.add(detail);
  }
}
