import type { Knex } from 'knex';
import { storableText } from '../unicode';
import { errorLogFields, type Logger } from '../logger';
import { isoString } from './rows';

/** One access as the trail keeps it: the facts its AuditEvent is built from when the trail is read. */
export interface AuditEntry {
  id: string;
  /** An instant, as `Date.toISOString` writes it. */
  recorded: string;
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  /** The FHIR restful interaction (`read`, `search-type`, `operation`, …). */
  interaction: string;
  succeeded: boolean;
  /** How the caller authenticated (`api-key`, `jwt`, `system`) and its key id or token subject. */
  agent: { via: string; id: string };
  requestId: string;
  /** `Type/id` of each resource the access names. */
  entities: string[];
  /** The resource type, and for a search its parameter names (`Patient?family`). */
  description: string;
}

export interface AuditRecord {
  tenantId: string;
  entry: AuditEntry;
}

export interface AuditQuery {
  count: number;
  offset: number;
  /** Only events about this `Type/id`. */
  entity?: string;
  /** Only events recorded at or after this instant. */
  since?: string;
  /** How many match: all of them counted, or not at all; by default exact up to COUNTED_FIRST, else not known. */
  total?: 'all' | 'none';
}

/** One page of events, newest first, and how many match when that was counted. */
export interface AuditPage {
  total?: number;
  entries: AuditEntry[];
}

const NEWEST_FIRST: { column: string; order: 'desc' }[] = [
  { column: 'recorded', order: 'desc' },
  { column: 'id', order: 'desc' },
];
/** The newest matches read first: when they are all there are, they give the total and the page. */
export const COUNTED_FIRST = 1000;

/** Events wait at most this long, or until this many are queued, before one multi-row insert. */
const FLUSH_MS = 500;
const BATCH = 200;
const INSERT_MARK = 'INSERT INTO audit_events';

/**
 * The audit trail, written in batches so that recording an access costs a request nothing
 * but a push onto a queue. An event is durable once its batch commits (within FLUSH_MS);
 * `close` writes what is queued. A failed batch is retried once.
 */
export class AuditLog {
  private queue: AuditRecord[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  /** Records already retried once: a second failure drops them (logged) rather than block the queue. */
  private readonly retried = new WeakSet<AuditRecord>();

  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
  ) {}

  record(record: AuditRecord): void {
    this.queue.push(record);
    if (this.queue.length >= BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Writes everything queued so far; resolves when it is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.queue.length);
    this.writing = this.writing.then(() => (batch.length === 0 ? undefined : this.insert(batch)));
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  /**
   * One page of a tenant's events, newest first. The trail grows with every request, so its
   * matches are not all counted unless asked (`total: 'all'`): the ids of the newest
   * COUNTED_FIRST + 1 come first, and when they are all there are the page is taken from them;
   * past them the page is walked in the trail's order, and the total is not known.
   */
  async search(tenantId: string, query: AuditQuery): Promise<AuditPage> {
    const matching = (): Knex.QueryBuilder => {
      const base = this.knex('audit_events').where({ tenant_id: tenantId });
      if (query.entity !== undefined) base.whereRaw('entities @> ARRAY[?]::text[]', [query.entity]);
      if (query.since !== undefined) base.where('recorded', '>=', query.since);
      return base;
    };
    const newest = (
      (await matching()
        .select('id')
        .orderBy(NEWEST_FIRST)
        .limit(COUNTED_FIRST + 1)) as { id: string }[]
    ).map((row) => row.id);
    const all = newest.length <= COUNTED_FIRST;
    const page = all
      ? this.knex('audit_events')
          .where({ tenant_id: tenantId })
          .whereIn('id', newest.slice(query.offset, query.offset + query.count))
      : matching().limit(query.count).offset(query.offset);
    const rows: AuditRow[] = await page
      .select('id', 'recorded', 'action', 'interaction', 'succeeded', 'agent_via', 'agent_id', 'request_id', 'entities', 'description')
      .orderBy(NEWEST_FIRST);
    const entries = rows.map(entryOf);
    if (query.total === 'none') return { entries };
    return { total: all ? newest.length : query.total === 'all' ? await this.countOf(matching()) : undefined, entries };
  }

  private async countOf(matches: Knex.QueryBuilder): Promise<number> {
    const [{ count }] = (await matches.count({ count: '*' })) as [{ count: string | number }];
    return Number(count);
  }

  private async insert(batch: AuditRecord[]): Promise<void> {
    try {
      await this.insertRows(batch);
    } catch (err) {
      // One record the database refuses must not take the others with it: write them one by one.
      const failed = batch.length === 1 ? batch : await this.insertEach(batch);
      if (failed.length === 0) return;
      const again = failed.filter((r) => !this.retried.has(r));
      this.logger.error({ events: failed.length, dropped: failed.length - again.length, ...errorLogFields(err) }, 'audit events not written; retrying once');
      for (const r of again) this.retried.add(r);
      this.queue.unshift(...again);
      if (again.length > 0) this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
    }
  }

  /** The records that could not be written. */
  private async insertEach(batch: AuditRecord[]): Promise<AuditRecord[]> {
    const failed: AuditRecord[] = [];
    for (const record of batch) await this.insertRows([record]).catch(() => failed.push(record));
    return failed;
  }

  /** All rows in one statement with one parameter: the batch as a JSON array, unpacked by PostgreSQL. */
  private async insertRows(batch: AuditRecord[]): Promise<void> {
    await this.knex.raw(
      `${INSERT_MARK} (tenant_id, id, recorded, action, interaction, succeeded, agent_via, agent_id, request_id, entities, description)
       SELECT tenant_id, id, recorded, action, interaction, succeeded, agent_via, agent_id, request_id, entities, description
       FROM jsonb_to_recordset(?::jsonb) AS e(tenant_id uuid, id uuid, recorded timestamptz, action text, interaction text, succeeded boolean,
         agent_via text, agent_id text, request_id text, entities text[], description text)`,
      [storableJsonText(batch.map(toRow))],
    );
  }
}

/** How many events a statement wrote to the trail, from its response: 0 for any statement but the trail's insert. */
export function auditEventsWrittenBy(sql: string | undefined, response: unknown): number {
  if (!sql?.startsWith(INSERT_MARK)) return 0;
  return Number((response as { rowCount?: unknown } | undefined)?.rowCount) || 0;
}

interface AuditRow {
  id: string;
  recorded: Date | string;
  action: string;
  interaction: string;
  succeeded: boolean;
  agent_via: string;
  agent_id: string;
  request_id: string;
  entities: string[];
  description: string;
}

const toRow = ({ tenantId, entry }: AuditRecord) => ({
  tenant_id: tenantId,
  id: entry.id,
  recorded: entry.recorded,
  action: entry.action,
  interaction: entry.interaction,
  succeeded: entry.succeeded,
  agent_via: entry.agent.via,
  agent_id: entry.agent.id,
  request_id: entry.requestId,
  entities: entry.entities,
  description: entry.description,
});

const entryOf = (row: AuditRow): AuditEntry => ({
  id: row.id,
  recorded: isoString(row.recorded),
  action: row.action as AuditEntry['action'],
  interaction: row.interaction,
  succeeded: row.succeeded,
  agent: { via: row.agent_via, id: row.agent_id },
  requestId: row.request_id,
  entities: row.entities,
  description: row.description,
});

/**
 * Events quote what clients sent (ids in URLs), which may hold text PostgreSQL cannot store:
 * it is made storable (storableText), so the attempt is still on record. JSON.stringify writes
 * such characters as `\u0000` and lone `\udXXX` escapes, so one look at the text finds them.
 */
function storableJsonText(value: unknown): string {
  const json = JSON.stringify(value);
  return UNSTORABLE_ESCAPE.test(json) ? JSON.stringify(storableJson(value)) : json;
}

const UNSTORABLE_ESCAPE = /\\u0000|\\ud[89a-f]/i;

function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)])) as T;
}
