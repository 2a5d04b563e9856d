import type { V1Api } from '../api';
import { listClinicianProfiles, readClinicianProfile } from './profiles';
import { parseProfileQuery } from './query';

/** Seed 004, read-only; also under /api-v1 so that API's clients can point their base URL here. */
export const clinicianProfilesApi: V1Api = {
  prefixes: ['/v1/clinician-profiles', '/api-v1/clinician-profiles'],
  shape: 'request-id-envelope',
  acceptsJson: false,
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
    },
    { method: 'get', path: '/:id', handle: async (req) => ({ data: await readClinicianProfile(req.service, req.params.id ?? '') }) },
  ],
};
