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
}

/** Events wait at most this long, or until this many are queued, before one multi-row insert. */
const FLUSH_MS = 500;
const BATCH = 200;

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

  /** One page of a tenant's events, newest first, and how many match. */
  async search(tenantId: string, query: AuditQuery): Promise<{ total: number; entries: AuditEntry[] }> {
    const base = this.knex('audit_events').where({ tenant_id: tenantId });
    if (query.entity !== undefined) base.whereRaw('entities @> ARRAY[?]::text[]', [query.entity]);
    if (query.since !== undefined) base.where('recorded', '>=', query.since);
    const [{ count }] = (await base.clone().count({ count: '*' })) as [{ count: string | number }];
    const rows: AuditRow[] = await base
      .select('id', 'recorded', 'action', 'interaction', 'succeeded', 'agent_via', 'agent_id', 'request_id', 'entities', 'description')
      .orderBy([
        { column: 'recorded', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.count)
      .offset(query.offset);
    return { total: Number(count), entries: rows.map(entryOf) };
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
      `INSERT INTO audit_events (tenant_id, id, recorded, action, interaction, succeeded, agent_via, agent_id, request_id, entities, description)
       SELECT tenant_id, id, recorded, action, interaction, succeeded, agent_via, agent_id, request_id, entities, description
       FROM jsonb_to_recordset(?::jsonb) AS e(tenant_id uuid, id uuid, recorded timestamptz, action text, interaction text, succeeded boolean,
         agent_via text, agent_id text, request_id text, entities text[], description text)`,
      [storableJsonText(batch.map(toRow))],
    );
  }
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
