import type { V1Api } from '../api';
import { listClinicianProfiles, readClinicianProfile } from './profiles';
import { parseProfileQuery } from './query';

/** Seed 004, read-only; also under /api-v1 so that API's clients can point their base URL here. */
export const clinicianProfilesApi: V1Api = {
  prefixes: ['/v1/clinician-profiles', '/api-v1/clinician-profiles'],
  shape: 'request-id-envelope',
  acceptsJson: false,
  doc: {
    tag: 'Clinician profiles',
    description:
      'The clinician directory (seed 004), read-only: each profile is a FHIR Practitioner with its active PractitionerRoles. Also served under /api-v1. Errors are `{ error: { code, message }, meta: { request_id } }`.',
    errors: { default: 'clinician-profiles.error' },
  },
  routes: [
    {
      method: 'get',
      path: '/',
      handle: async (req) => {
        const request = parseProfileQuery(req.query);
        const page = await listClinicianProfiles(req.service, request);
        const nextOffset = page.hasMore ? request.offset + request.limit : null;
        return { data: page.profiles, meta: { limit: request.limit, has_more: page.hasMore, next_offset: nextOffset } };
      },
      doc: {
        operationId: 'listClinicianProfiles',
        summary: 'List clinician profiles',
        description: 'Ordered by creation time; walk `meta.next_offset` until it is null. Filters combine with AND.',
        query: 'clinician-profiles.query',
        reply: { kind: 'ok', description: 'A page of profiles', schema: 'clinician-profiles.list' },
        failures: { badRequest: { description: 'invalid_parameter: a parameter is unknown, repeated or not of its type; the message names it' } },
      },
    },
    {
      method: 'get',
      path: '/:id',
      handle: async (req) => ({ data: await readClinicianProfile(req.service, req.params.id ?? '') }),
      doc: {
        operationId: 'readClinicianProfile',
        summary: 'Read a clinician profile',
        reply: { kind: 'ok', description: 'The profile', schema: 'clinician-profiles.single' },
        failures: { notFound: { description: 'not_found: the profile does not exist or belongs to another organisation' } },
      },
    },
  ],
};
