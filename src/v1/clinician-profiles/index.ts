import express from 'express';
import type { V1Deps, V1Family } from '..';
import type { ErrorWriter } from '../../http/error-funnel';
import { listClinicianProfiles, readClinicianProfile } from './profiles';
import { parseProfileQuery } from './query';

/** Seed 004, read-only; also under /api-v1 so that API's clients can point their base URL here. */
export function clinicianProfilesFamily(deps: V1Deps): V1Family {
  const router = express.Router();
  router.get('/', async (req, res) => {
    const request = parseProfileQuery(req.query as Record<string, unknown>);
    const page = await listClinicianProfiles(deps.serviceFor(req).repo, request);
    const nextOffset = page.hasMore ? request.offset + request.limit : null;
    res.json({ data: page.profiles, meta: { request_id: req.requestId, limit: request.limit, has_more: page.hasMore, next_offset: nextOffset } });
  });
  router.get('/:id', async (req, res) => {
    res.json({ data: await readClinicianProfile(deps.serviceFor(req).repo, req.params.id), meta: { request_id: req.requestId } });
  });
  return { prefixes: ['/v1/clinician-profiles', '/api-v1/clinician-profiles'], router, writeError: writeProfileError };
}

const writeProfileError: ErrorWriter = (problem, _err, req, res) => {
  res.status(problem.status).json({ error: { code: problem.code, message: problem.message }, meta: { request_id: req.requestId } });
};
