import { v7 as timeOrderedUuid } from 'uuid';
import type { AuditEvent, AuditEventEntity } from '@medplum/fhirtypes';
import type { AuditEntry } from '../../store/audit-log';
import type { Access, AccessKind } from '../access';

/** Who made a request: how they authenticated and the key id or token subject. */
export interface AuditAgent {
  via: 'api-key' | 'jwt' | 'system';
  id: string;
}

export interface AccessRecord {
  access: Access;
  agent: AuditAgent;
  requestId: string;
  succeeded: boolean;
  /** `Type/id` of each resource the access returned or wrote. */
  references: string[];
}

const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
const ACTION: Record<AccessKind, AuditEntry['action']> = {
  create: 'C',
  read: 'R',
  vread: 'R',
  history: 'R',
  search: 'E',
  update: 'U',
  patch: 'U',
  delete: 'D',
  validate: 'E',
  export: 'R',
};
const SUBTYPE: Record<AccessKind, string> = {
  create: 'create',
  read: 'read',
  vread: 'vread',
  history: 'history-instance',
  search: 'search-type',
  update: 'update',
  patch: 'patch',
  delete: 'delete',
  validate: 'operation',
  export: 'operation',
};

/** What the trail keeps of one access: no resource content, and for a search the parameter names only. */
export function auditEntryOf(record: AccessRecord, recorded = new Date().toISOString()): AuditEntry {
  const { access } = record;
  return {
    // Time-ordered (UUIDv7): each batch appends to the right edge of the trail's primary key
    // instead of touching a random leaf page per event, which grows costly as the trail grows.
    id: timeOrderedUuid(),
    recorded,
    action: ACTION[access.kind],
    interaction: access.kind === 'history' && access.id === undefined ? 'history-type' : SUBTYPE[access.kind],
    succeeded: record.succeeded,
    agent: record.agent,
    requestId: record.requestId,
    entities: record.references,
    description: access.parameters ? `${access.resourceType}?${access.parameters.join('&')}` : access.resourceType,
  };
}

/**
 * The Basic Audit Log Patterns (IHE BALP) shaped AuditEvent of one access: who (key id or
 * token subject), what (references and, for a search, the parameter names — never their
 * values, which may be names or birth dates), when, the outcome and the request id.
 * https://profiles.ihe.net/ITI/BALP/
 */
export function auditEventOf(entry: AuditEntry): AuditEvent {
  const entity: AuditEventEntity[] = entry.entities.map((reference) => ({
    what: { reference },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
  }));
  entity.push({
    type: { system: BALP_ENTITY_TYPE, code: 'XrequestId' },
    what: { identifier: { value: entry.requestId } },
    description: entry.description,
  });
  return {
    resourceType: 'AuditEvent',
    id: entry.id,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: RESTFUL_INTERACTION, code: entry.interaction }],
    action: entry.action,
    recorded: entry.recorded,
    outcome: entry.succeeded ? '0' : '4',
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] },
        who: { identifier: { system: `urn:fhir-facade:${entry.agent.via}`, value: entry.agent.id } },
        requestor: true,
      },
    ],
    source: { observer: { display: 'fhir-facade-server' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }] },
    entity,
  };
}
