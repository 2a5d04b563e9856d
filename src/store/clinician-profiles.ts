import type { Knex } from 'knex';
import type { Repository } from './repository';
import { toStoredVersion, type StoredVersion, type VersionRow } from './rows';
import { normalizeString } from './search/extract';

export interface ClinicianFilters {
  isActive?: boolean;
  isBookableOnline?: boolean;
  /** Only practitioners with an active PractitionerRole at this Location. */
  locationId?: string;
  /** Words that must each occur in a name, the display name or the email (case-insensitive). */
  searchWords?: string[];
}

export interface PractitionerPage {
  practitioners: StoredVersion[];
  hasMore: boolean;
}

/**
 * One page of the tenant's Practitioners for the clinician directory, oldest first (ties by
 * id, so pages never overlap). Filters read the search index tables, never the JSON.
 */
export async function listDirectoryPractitioners(repo: Repository, filters: ClinicianFilters, limit: number, offset: number): Promise<PractitionerPage> {
  const db = repo.db;
  const query = db('resources as r').select('r.*').where({ 'r.tenant_id': repo.tenantId, 'r.resource_type': 'Practitioner', 'r.deleted': false });
  const requireExists = (exists: boolean, row: Knex.QueryBuilder): void => {
    if (exists) query.whereExists(row);
    else query.whereNotExists(row);
  };
  // `active` absent counts as active (FHIR's default reading), so test for an explicit false.
  if (filters.isActive !== undefined) requireExists(!filters.isActive, tokenOf(db, 'r', 'active', 'false'));
  if (filters.isBookableOnline !== undefined) requireExists(filters.isBookableOnline, tokenOf(db, 'r', 'bookable-online', 'true'));
  if (filters.locationId !== undefined) query.whereExists(activeRoleAt(db, filters.locationId));
  for (const word of filters.searchWords ?? []) query.whereIn('r.id', practitionersMatching(repo, word));
  const rows: VersionRow[] = await query
    .orderBy([{ column: 'r.created_at' }, { column: 'r.id' }])
    .limit(limit + 1)
    .offset(offset);
  return { practitioners: rows.slice(0, limit).map(toStoredVersion), hasMore: rows.length > limit };
}

/** The active (not `active: false`) PractitionerRoles of each practitioner, oldest first. */
export async function activeRolesOf(repo: Repository, practitionerIds: string[]): Promise<Map<string, StoredVersion[]>> {
  const byPractitioner = new Map<string, StoredVersion[]>(practitionerIds.map((id) => [id, []]));
  if (practitionerIds.length === 0) return byPractitioner;
  const rows: (VersionRow & { practitioner_id: string })[] = await repo
    .db('resources as r')
    .join('search_reference as p', (on) => on.on('p.tenant_id', 'r.tenant_id').andOn('p.resource_type', 'r.resource_type').andOn('p.resource_id', 'r.id'))
    .select('r.*', 'p.target_id as practitioner_id')
    .where({ 'r.tenant_id': repo.tenantId, 'r.resource_type': 'PractitionerRole', 'r.deleted': false })
    .andWhere({ 'p.code': 'practitioner', 'p.target_type': 'Practitioner' })
    .whereIn('p.target_id', practitionerIds)
    .whereNotExists(tokenOf(repo.db, 'r', 'active', 'false'))
    .orderBy([{ column: 'r.created_at' }, { column: 'r.id' }]);
  for (const row of rows) byPractitioner.get(row.practitioner_id)?.push(toStoredVersion(row));
  return byPractitioner;
}

/** A token index row `code = value` of the resource aliased `alias`. */
function tokenOf(db: Knex | Knex.Transaction, alias: string, code: string, value: string): Knex.QueryBuilder {
  return db('search_token as t')
    .select(db.raw('1'))
    .whereRaw(`t.tenant_id = ${alias}.tenant_id AND t.resource_type = ${alias}.resource_type AND t.resource_id = ${alias}.id`)
    .andWhere({ 't.code': code, 't.value': value });
}

/** An active PractitionerRole of practitioner `r` whose locations include `locationId`. */
function activeRoleAt(db: Knex | Knex.Transaction, locationId: string): Knex.QueryBuilder {
  return db('search_reference as p')
    .join('search_reference as l', (on) =>
      on.on('l.tenant_id', 'p.tenant_id').andOn('l.resource_type', 'p.resource_type').andOn('l.resource_id', 'p.resource_id'),
    )
    .select(db.raw('1'))
    .whereRaw('p.tenant_id = r.tenant_id AND p.target_id = r.id')
    .andWhere({ 'p.resource_type': 'PractitionerRole', 'p.code': 'practitioner', 'p.target_type': 'Practitioner' })
    .andWhere({ 'l.code': 'location', 'l.target_type': 'Location', 'l.target_id': locationId })
    .whereNotExists(
      db('search_token as a')
        .select(db.raw('1'))
        .whereRaw('a.tenant_id = p.tenant_id AND a.resource_type = p.resource_type AND a.resource_id = p.resource_id')
        .andWhere({ 'a.code': 'active', 'a.value': 'false' }),
    );
}

/**
 * Ids of practitioners with `word` inside a name part or display name (search_string, which
 * is lower-cased and accent-free, trigram-indexed) or an email (trigram index of migration 004).
 */
function practitionersMatching(repo: Repository, word: string): Knex.QueryBuilder {
  const db = repo.db;
  const names = db('search_string as s')
    .select('s.resource_id')
    .where({ 's.tenant_id': repo.tenantId, 's.resource_type': 'Practitioner' })
    .whereIn('s.code', ['name', 'display-name'])
    .andWhere('s.value', 'like', `%${escapeLike(normalizeString(word))}%`);
  const emails = db('search_token as e')
    .select('e.resource_id')
    .where({ 'e.tenant_id': repo.tenantId, 'e.resource_type': 'Practitioner', 'e.code': 'email' })
    .andWhereRaw('lower(e.value) LIKE ?', [`%${escapeLike(word.toLowerCase())}%`]);
  return names.union(emails);
}

/** `%`, `_` and `\` taken literally by LIKE (whose default escape character is `\`). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
