import type { CapabilityStatementRestSecurity } from '@medplum/fhirtypes';

/** How the CapabilityStatement tells clients to authenticate and which scopes exist. */
export function securityStatement(acceptsTokens: boolean): CapabilityStatementRestSecurity {
  return {
    cors: false,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
    description: [
      'Send an API key as `Authorization: Bearer <key>` or `x-api-key: <key>`',
      acceptsTokens ? 'or an access token of the configured authorization server as `Authorization: Bearer <token>`.' : '.',
      'Scopes are SMART v2 system scopes: system/<Type|*>.<cruds subset>, e.g. system/*.cruds, system/Patient.rs;',
      'the v1 forms .read, .write and .* are accepted. system/AuditEvent.rs reads the audit trail; admin manages tenants and keys.',
    ].join(' '),
  };
}
