import type { Knex } from 'knex';

/**
 * The audit trail keeps the facts of each access in columns instead of the whole BALP-shaped
 * AuditEvent as JSON: a row of ~150 bytes instead of ~1.4 KB, so that auditing a read costs the
 * database a fraction of the read itself. The AuditEvent is built from these columns when the
 * trail is read (src/fhir/audit/audit-event.ts); existing events are carried over.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE audit_events
      ADD COLUMN action text, ADD COLUMN interaction text, ADD COLUMN succeeded boolean,
      ADD COLUMN agent_via text, ADD COLUMN agent_id text, ADD COLUMN request_id text, ADD COLUMN description text`);
  await knex.raw(`
    UPDATE audit_events SET
      action = content->>'action',
      interaction = content#>>'{subtype,0,code}',
      succeeded = content->>'outcome' = '0',
      agent_via = substring(content#>>'{agent,0,who,identifier,system}' from '^urn:fhir-facade:(.*)$'),
      agent_id = content#>>'{agent,0,who,identifier,value}',
      request_id = jsonb_path_query_first(content, '$.entity[*] \\? (@.type.code == "XrequestId").what.identifier.value') #>> '{}',
      description = jsonb_path_query_first(content, '$.entity[*] \\? (@.type.code == "XrequestId").description') #>> '{}'`);
  await knex.raw(`
    ALTER TABLE audit_events
      ALTER COLUMN action SET NOT NULL, ALTER COLUMN interaction SET NOT NULL, ALTER COLUMN succeeded SET NOT NULL,
      ALTER COLUMN agent_via SET NOT NULL, ALTER COLUMN agent_id SET NOT NULL, ALTER COLUMN request_id SET NOT NULL,
      ALTER COLUMN description SET NOT NULL,
      DROP COLUMN content`);
}

/** Back to whole events: the AuditEvent as the trail served it, rebuilt from the columns. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE audit_events ADD COLUMN content jsonb');
  await knex.raw(`
    UPDATE audit_events SET content = jsonb_build_object(
      'resourceType', 'AuditEvent',
      'id', id,
      'type', jsonb_build_object('system', 'http://terminology.hl7.org/CodeSystem/audit-event-type', 'code', 'rest', 'display', 'RESTful Operation'),
      'subtype', jsonb_build_array(jsonb_build_object('system', 'http://hl7.org/fhir/restful-interaction', 'code', interaction)),
      'action', action,
      'recorded', to_char(recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'outcome', CASE WHEN succeeded THEN '0' ELSE '4' END,
      'agent', jsonb_build_array(jsonb_build_object(
        'type', jsonb_build_object('coding', jsonb_build_array(jsonb_build_object(
          'system', 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'code', 'IRCP', 'display', 'information recipient'))),
        'who', jsonb_build_object('identifier', jsonb_build_object('system', 'urn:fhir-facade:' || agent_via, 'value', agent_id)),
        'requestor', true)),
      'source', jsonb_build_object(
        'observer', jsonb_build_object('display', 'fhir-facade-server'),
        'type', jsonb_build_array(jsonb_build_object('system', 'http://terminology.hl7.org/CodeSystem/security-source-type', 'code', '4'))),
      'entity', (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
          'what', jsonb_build_object('reference', e),
          'type', jsonb_build_object('system', 'http://terminology.hl7.org/CodeSystem/audit-entity-type', 'code', '2', 'display', 'System Object'))), '[]'::jsonb)
        FROM unnest(entities) AS e
      ) || jsonb_build_array(jsonb_build_object(
        'type', jsonb_build_object('system', 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType', 'code', 'XrequestId'),
        'what', jsonb_build_object('identifier', jsonb_build_object('value', request_id)),
        'description', description)))`);
  await knex.raw(`
    ALTER TABLE audit_events ALTER COLUMN content SET NOT NULL,
      DROP COLUMN action, DROP COLUMN interaction, DROP COLUMN succeeded, DROP COLUMN agent_via,
      DROP COLUMN agent_id, DROP COLUMN request_id, DROP COLUMN description`);
}
