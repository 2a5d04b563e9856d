import type { Knex } from 'knex';
import type { Resource } from '@medplum/fhirtypes';
import { duplicate, fail, gone, notFound, preconditionFailed, conflict, ResourceOutcomeError } from '../problems/outcomes';
import type { Indexer } from './index-rows';
import type { ContendedResources } from './contended-resources';
import { byTypeAndId, idsByType } from './ids-by-type';
import { replaceSearchIndexes, replaceUniqueKeys, type IndexTarget } from './index-writer';
import { writeNewResourcesSoon } from './coalesced-new-resources';
import type { NewResourcesWritten } from './new-resources-write';
import { replaceOneVersion, replaceOneVersionAlone } from './one-version-write';
import { preparedStatement, runPrepared, runPreparedText } from './prepared-query';
import { allOf, fragment, unionAll, type SqlFragment } from './sql-fragment';
import { writeVersionRows } from './version-write';
import { toStoredVersion, type CurrentVersion, type StoredVersion, type VersionRow } from './rows';
import type { LatestVersions } from './latest-versions';
import { coalescedReader } from './coalesced-reads';
import { foreignOnlyTargets } from './foreign-targets';
import { holdsVersion, jsonVersionColumns, readCurrentAsJson, readVersionAsJson, versionOfJsonRow, type JoinedVersionRow } from './stored-json';

export interface HistoryOptions {
  count: number;
  offset: number;
  since?: string;
}

export interface HistoryPage {
  total: number;
  versions: StoredVersion[];
}

/** Where an export page starts: after this resource, in the page order. */
export interface ExportCursor {
  id: string;
  lastUpdated: string;
}

/** One version to write: the resource (its id settled), its current row if any, and whether it is a deletion. */
export interface VersionWrite {
  resource: Resource & { id: string };
  previous: CurrentVersion | undefined;
  deleted?: boolean;
}

/** One page of a Bulk Data export read: current, live resources of one type in id order. */
export interface ExportPageQuery {
  /** The last resource of the previous page (keyset paging). */
  after?: ExportCursor;
  /** Only resources changed after this instant (`_since`). */
  since?: string;
  /** Nothing changed after this instant (the export's transaction time). */
  until: string;
  limit: number;
  /** Only resources whose reference search parameters `codes` point at a live resource of `targetType` (a compartment). */
  referencing?: { codes: string[]; targetType: string };
}

/** What the repositories of one process learned from their writes lately: shared by them all. */
export interface WriteMemory {
  /** Where writes lost races lately. */
  contended: ContendedResources;
  /** The versions this process wrote last. */
  latest: LatestVersions;
}

/**
 * The tenant-scoped store of FHIR resources, named by the FHIR interactions it serves.
 * Every statement filters by `tenant_id`; there is no unscoped query. Ids reach it already
 * checked (FhirService is its only caller). https://hl7.org/fhir/R4/http.html
 */
export class Repository {
  constructor(
    readonly db: Knex | Knex.Transaction,
    readonly tenantId: string,
    private readonly indexer: Indexer,
    private readonly memory: WriteMemory,
  ) {}

  /** Runs `fn` in one database transaction (a savepoint when already inside one). */
  transaction<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    return this.db.transaction((trx) => fn(new Repository(trx, this.tenantId, this.indexer, this.memory)));
  }

  /** Runs `fn` in the surrounding transaction, or in a new one when there is none. */
  private atomically<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this) : this.transaction(fn);
  }

  /** Serialises work on one key until the surrounding transaction ends. */
  async lock(key: string): Promise<void> {
    await this.db.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`${this.tenantId}/${key}`]);
  }

  /** https://hl7.org/fhir/R4/http.html#read */
  async read(resourceType: string, id: string): Promise<StoredVersion> {
    const version = await readCurrentAsJson(this.db, this.tenantId, resourceType, id);
    if (!version) fail(notFound(`${resourceType}/${id} not found`));
    if (version.deleted) fail(gone(`${resourceType}/${id} was deleted`));
    return version;
  }

  /**
   * Reads several current resources of one type, each as a read by id (with the other reads of
   * its turn, in one statement); missing and deleted ones are left out.
   */
  async readMany(resourceType: string, ids: string[]): Promise<StoredVersion[]> {
    const versions = await Promise.all([...new Set(ids)].map((id) => readCurrentAsJson(this.db, this.tenantId, resourceType, id)));
    return versions.filter((version): version is StoredVersion => version !== undefined && !version.deleted);
  }

  /**
   * Which of these resources are not in this tenant but exist, live, in another: a reference
   * to them would cross tenants. One statement however many targets of however many types, and
   * none for those this process wrote for this tenant (`LatestVersions.holds`).
   */
  foreignOnly(targets: { resourceType: string; id: string }[]): Promise<{ resourceType: string; id: string }[]> {
    const unknown = targets.filter((target) => !this.memory.latest.holds(this.keyOf(target.resourceType, target.id)));
    return foreignOnlyTargets(this.db, this.tenantId, unknown);
  }

  /** https://hl7.org/fhir/R4/http.html#vread */
  async vread(resourceType: string, id: string, versionId: number): Promise<StoredVersion> {
    const version = await readVersionAsJson(this.db, this.tenantId, resourceType, id, versionId);
    if (!version) fail(notFound(`${resourceType}/${id}/_history/${versionId} not found`));
    if (version.deleted) fail(gone(`${resourceType}/${id}/_history/${versionId} is a deletion`));
    return version;
  }

  /**
   * https://hl7.org/fhir/R4/http.html#update — with `ifMatch`, only when the current version
   * is that one (https://hl7.org/fhir/R4/http.html#concurrency). An absent or deleted
   * resource is created under the given id.
   */
  async update(resource: Resource & { id: string }, ifMatch?: string): Promise<{ version: StoredVersion; created: boolean }> {
    const { resourceType, id } = resource;
    const written = (previous: CurrentVersion | undefined, version: StoredVersion): { version: StoredVersion; created: boolean } => ({
      version,
      created: !previous || previous.deleted,
    });
    if (this.mayWriteAlone(resourceType, id)) {
      const previous = await this.currentToReplace(resourceType, id, ifMatch);
      assertIfMatch(resourceType, id, previous, ifMatch);
      const version = await this.writeAlone({ resource, previous });
      if (version) return written(previous, version);
    }
    return this.atomically(async (repo) => {
      const previous = await repo.lockedCurrent(resourceType, id);
      assertIfMatch(resourceType, id, previous, ifMatch);
      return written(previous, await repo.writeVersion(resourceType, id, resource, previous));
    });
  }

  /**
   * https://hl7.org/fhir/R4/http.html#delete — a deletion is a version too; deleting twice is a
   * no-op. With `ifMatch`, only when the current version is that one.
   */
  async delete(resourceType: string, id: string, ifMatch?: string): Promise<void> {
    const deletion = { resourceType, id } as Resource & { id: string };
    const deletable = (previous: CurrentVersion | undefined): previous is CurrentVersion => {
      if (!previous) fail(notFound(`${resourceType}/${id} not found`));
      assertIfMatch(resourceType, id, previous, ifMatch);
      return !previous.deleted;
    };
    if (this.mayWriteAlone(resourceType, id)) {
      const previous = await this.currentToReplace(resourceType, id, ifMatch);
      if (!deletable(previous) || (await this.writeAlone({ resource: deletion, previous, deleted: true }))) return;
    }
    await this.atomically(async (repo) => {
      const previous = await repo.lockedCurrent(resourceType, id);
      if (deletable(previous)) await repo.writeVersion(resourceType, id, deletion, previous, true);
    });
  }

  /**
   * https://hl7.org/fhir/R4/http.html#history — newest first; instance history when `id` is
   * given. The current versions are in `resources`, the ones before them in `resource_versions`.
   * The versions' count and the page in one statement: the count's row joined to the page, so
   * that each keeps its own plan (the page a top-N scan of each table: by last_updated for a
   * type, by version number for one resource, whose versions are never dated before the ones
   * they replace) and a page past the end still tells the count. Prepared by its text: one
   * statement per shape (instance or type, with or without `_since`).
   */
  async history(resourceType: string, id: string | undefined, options: HistoryOptions): Promise<HistoryPage> {
    const newestFirst = (lastUpdated: string): string => `${id === undefined ? `${lastUpdated} DESC, ` : ''}v.version_id DESC`;
    const scope = allOf([
      fragment('v.tenant_id = ?', this.tenantId),
      fragment('v.resource_type = ?', resourceType),
      ...(id === undefined ? [] : [fragment('v.id = ?', id)]),
      ...(options.since ? [fragment('v.last_updated >= ?', options.since)] : []),
    ]);
    // For a page, each table's newest `offset + count`.
    const versions = (columns: string, upTo?: number): SqlFragment => {
      const newest = upTo === undefined ? fragment('') : fragment(` ORDER BY ${newestFirst('v.last_updated')} LIMIT ?`, upTo);
      const of = (table: string): SqlFragment =>
        fragment(`SELECT ${columns} FROM ${table} AS v WHERE ${scope.sql}${newest.sql}`, ...scope.bindings, ...newest.bindings);
      return unionAll([of('resources'), of('resource_versions')]);
    };
    const counted = versions('1');
    const page = versions(`${jsonVersionColumns('v')}, v.last_updated AS last_written`, options.offset + options.count);
    const rows = await runPreparedText<JoinedVersionRow<{ total: string | number }>>(
      this.db,
      fragment(
        `SELECT c.total, p.* FROM (SELECT count(*) AS total FROM (${counted.sql}) AS v) AS c
       LEFT JOIN LATERAL (SELECT v.* FROM (${page.sql}) AS v ORDER BY ${newestFirst('v.last_written')} LIMIT ? OFFSET ?) AS p ON true`,
        ...counted.bindings,
        ...page.bindings,
        options.count,
        options.offset,
      ),
    );
    return { total: Number(rows[0]?.total ?? 0), versions: rows.filter(holdsVersion).map(versionOfJsonRow) };
  }

  /**
   * A page of an export, keyset-paged so that every page costs the same whatever the size: by
   * id, or with `since` by (last_updated, id), which the last_updated index serves when few changed.
   */
  async exportPage(resourceType: string, query: ExportPageQuery): Promise<StoredVersion[]> {
    const page = this.db('resources as r')
      .select('r.*')
      .where({ 'r.tenant_id': this.tenantId, 'r.resource_type': resourceType, 'r.deleted': false })
      .andWhere('r.last_updated', '<=', query.until)
      .limit(query.limit);
    const { after, since } = query;
    if (since === undefined) {
      page.orderBy('r.id');
      if (after) page.andWhere('r.id', '>', after.id);
    } else {
      page.andWhere('r.last_updated', '>', since).orderBy(['r.last_updated', 'r.id']);
      if (after) page.whereRaw('(r.last_updated, r.id) > (?::timestamptz, ?)', [after.lastUpdated, after.id]);
    }
    const { referencing } = query;
    if (referencing) {
      page.whereExists((sub) =>
        sub
          .select(this.db.raw('1'))
          .from('search_reference as s')
          .join('resources as t', (on) => {
            on.on('t.tenant_id', 's.tenant_id').andOn('t.resource_type', 's.target_type').andOn('t.id', 's.target_id');
          })
          .whereRaw('s.tenant_id = r.tenant_id and s.resource_type = r.resource_type and s.resource_id = r.id')
          .whereIn('s.code', referencing.codes)
          .andWhere({ 's.target_type': referencing.targetType, 't.deleted': false }),
      );
    }
    const rows: VersionRow[] = await page;
    return rows.map(toStoredVersion);
  }

  /** What an update or a delete replaces inside its transaction: one resource's current version, locked. */
  private async lockedCurrent(resourceType: string, id: string): Promise<CurrentVersion | undefined> {
    const [row] = await runPrepared<CurrentVersion>(this.db, LOCK_CURRENT, [this.tenantId, resourceType, id]);
    return row;
  }

  /**
   * The current rows of these resources (deleted ones too), locked until the transaction ends:
   * what a batch of writes compares with and replaces. One statement per type, locking in the
   * order every batch of writes locks (`byTypeAndId`).
   */
  async lockCurrent(targets: readonly { resourceType: string; id: string }[]): Promise<Map<string, VersionRow>> {
    const rows = await this.rowsOf<VersionRow>(this.locking(), [...targets].sort(byTypeAndId));
    return new Map(rows.map((row) => [`${row.resource_type}/${row.id}`, row]));
  }

  /** Locks the current rows of these resources as `lockCurrent` does, reading none of their content. */
  async lockRows(targets: readonly { resourceType: string; id: string }[]): Promise<void> {
    await this.rowsOf(this.locking().select('resource_type', 'id'), [...targets].sort(byTypeAndId));
  }

  /** The tenant's current rows, locked in id order (one type at a time, by `rowsOf`). */
  private locking(): Knex.QueryBuilder {
    return this.db('resources').where({ tenant_id: this.tenantId }).orderBy('id').forUpdate();
  }

  /**
   * The rows `query` selects among these resources, one `id = ANY(…)` per type: a plan every
   * database serves from the primary key, where a list of (type, id) pairs grows the statement
   * and its planning with the batch.
   */
  private async rowsOf<R extends { resource_type: string; id: string }>(
    query: Knex.QueryBuilder,
    targets: readonly { resourceType: string; id: string }[],
  ): Promise<R[]> {
    const rows: R[] = [];
    for (const [resourceType, ids] of idsByType(targets)) {
      rows.push(...((await query.clone().where('resource_type', resourceType).whereRaw('id = ANY(?::text[])', [ids])) as R[]));
    }
    return rows;
  }

  /**
   * Writes a new version of each resource (its current row as `previous`, locked, or none) —
   * the rows, the history, the search index and the business keys in one statement each
   * however many there are, or in one statement for all when none has a current row. Runs
   * inside the caller's transaction, or atomically in its own: new resources alone need none.
   */
  async writeVersions(writes: readonly VersionWrite[]): Promise<StoredVersion[]> {
    const rows = writes.map((write) => this.versionRow(write));
    const targets = rows.map((row, i) => this.targetOf(row, writes[i]!));
    const outcome = targets.every((t) => t.isNew)
      ? await writeNewResourcesSoon(this.db, this.tenantId, rows, targets)
      : await this.atomically((repo) => repo.replaceVersions(rows, targets));
    const versions = this.storedOrRefused(rows, outcome);
    this.noteWritten(rows);
    return versions;
  }

  /** Whether a write of this resource may try one statement without a lock: outside a transaction, and no race lost on it lately. */
  private mayWriteAlone(resourceType: string, id: string): boolean {
    return !this.db.isTransaction && !this.memory.contended.has(this.keyOf(resourceType, id));
  }

  /**
   * The current version a write outside a transaction replaces: the one this process wrote last
   * (`LatestVersions`), when it may stand for it, else the one read. A deletion is never taken
   * on trust: a delete over it writes nothing, so no statement would check the guess.
   */
  private async currentToReplace(resourceType: string, id: string, ifMatch: string | undefined): Promise<CurrentVersion | undefined> {
    const guess = this.memory.latest.recall(this.keyOf(resourceType, id));
    if (guess && !guess.deleted && (ifMatch === undefined || String(guess.version_id) === ifMatch)) return guess;
    return readCurrentVersion(this.db, { tenantId: this.tenantId, resourceType, id });
  }

  /**
   * Versions written outside a transaction are committed: the current ones, until another write
   * replaces them. Inside one they may yet be rolled back: what was remembered of those
   * resources is forgotten, so the next write outside reads rather than guesses.
   */
  private noteWritten(rows: readonly VersionRow[]): void {
    for (const { resource_type, id, version_id, last_updated, created_at, deleted } of rows) {
      const key = this.keyOf(resource_type, id);
      if (this.db.isTransaction) this.memory.latest.forget(key);
      else this.memory.latest.remember(key, { version_id, last_updated, created_at, deleted });
    }
  }

  private keyOf(resourceType: string, id: string): string {
    return `${this.tenantId}/${resourceType}/${id}`;
  }

  /**
   * One version written by one statement without a transaction, over the current version read
   * as `previous` (none when new). Undefined when another write replaced or created it since
   * (nothing was written; the resource is then remembered as contended), or when the write
   * needs a transaction (`replaceOneVersionAlone`).
   */
  private async writeAlone(write: VersionWrite): Promise<StoredVersion | undefined> {
    const row = this.versionRow(write);
    const target = this.targetOf(row, write);
    const outcome = target.isNew
      ? await writeNewResourcesSoon(this.db, this.tenantId, [row], [target])
      : await replaceOneVersionAlone(this.db, this.tenantId, row, target);
    if (!outcome) return undefined;
    if (outcome.written.size === 0) {
      const key = this.keyOf(row.resource_type, row.id);
      this.memory.contended.mark(key);
      this.memory.latest.forget(key);
      return undefined;
    }
    const [version] = this.storedOrRefused([row], outcome);
    this.noteWritten([row]);
    return version;
  }

  private targetOf(row: VersionRow, write: VersionWrite): IndexTarget {
    return { resourceType: row.resource_type, id: row.id, entries: row.deleted ? undefined : this.indexer.entriesOf(row.content), isNew: !write.previous };
  }

  /** The versions written, or the conflict that refused them: a row created meanwhile, a business key taken. */
  private storedOrRefused(rows: readonly VersionRow[], { written, taken }: NewResourcesWritten): StoredVersion[] {
    const lost = rows.find((row) => !written.has(`${row.resource_type}/${row.id}`));
    if (lost) {
      const reference = `${lost.resource_type}/${lost.id}`;
      throw new ResourceOutcomeError(conflict(`${reference} was created by a concurrent request; retry`), reference);
    }
    const [key] = taken;
    if (key) throw new ResourceOutcomeError(duplicate(this.indexer.keyMessage(key.kind), key.kind), `${key.resourceType}/${key.id}`);
    return rows.map(toStoredVersion);
  }

  /** Rows, history, index and keys of a batch where some resources have a current row: a statement each, or one for a single resource. */
  private async replaceVersions(rows: VersionRow[], targets: IndexTarget[]): Promise<NewResourcesWritten> {
    const [row, target] = [rows[0], targets[0]];
    if (rows.length === 1 && row && target) return replaceOneVersion(this.db, this.tenantId, row, target);
    const written = await writeVersionRows(
      this.db,
      this.tenantId,
      rows.map((row, i) => ({ row, isNew: targets[i]!.isNew })),
    );
    if (written.size < rows.length) return { written, taken: [] };
    await replaceSearchIndexes(this.db, this.tenantId, targets);
    return { written, taken: await replaceUniqueKeys(this.db, this.tenantId, targets) };
  }

  private async writeVersion(resourceType: string, id: string, body: Resource, previous: CurrentVersion | undefined, deleted = false): Promise<StoredVersion> {
    const resource = { ...body, resourceType, id } as Resource & { id: string };
    const [version] = await this.writeVersions([{ resource, previous, deleted }]);
    return version!;
  }

  private versionRow({ resource, previous, deleted = false }: VersionWrite): VersionRow {
    const versionId = (previous?.version_id ?? 0) + 1;
    const lastUpdated = nextTimestamp(previous);
    const meta = { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() };
    return {
      tenant_id: this.tenantId,
      resource_type: resource.resourceType,
      id: resource.id,
      version_id: versionId,
      last_updated: lastUpdated,
      created_at: previous ? previous.created_at : lastUpdated,
      deleted,
      content: { ...resource, meta } as Resource,
    };
  }
}

/** What a write takes from the current version it replaces, read by primary key (its content is not needed). */
const CURRENT_COLUMNS = 'version_id, last_updated, created_at, deleted';
/**
 * What a write outside a transaction replaces: the reads of one turn in one statement, so that
 * under load their writes reach the store in one turn too.
 */
const readCurrentVersion = coalescedReader<CurrentVersion>('fhir_current_version', CURRENT_COLUMNS);
const LOCK_CURRENT = preparedStatement(
  'fhir_lock_current_version',
  `SELECT ${CURRENT_COLUMNS} FROM resources WHERE tenant_id = ?::uuid AND resource_type = ? AND id = ? FOR UPDATE`,
);

/** 412 unless `ifMatch` is absent or names the current, live version. */
function assertIfMatch(resourceType: string, id: string, current: CurrentVersion | undefined, ifMatch: string | undefined): void {
  if (ifMatch !== undefined && (!current || current.deleted || String(current.version_id) !== ifMatch)) {
    fail(preconditionFailed(`If-Match version ${ifMatch} is not the current version of ${resourceType}/${id}`));
  }
}

/** Now, but never before the previous version's timestamp, so history order is stable. */
function nextTimestamp(previous: CurrentVersion | undefined): Date {
  const now = Date.now();
  const before = previous ? new Date(previous.last_updated).getTime() : 0;
  return new Date(Math.max(now, before + 1));
}
