import type { V1Api } from '../api';
import { createPractitionerRole } from './create-role';
import { readPractitionerRole } from './read-role';
import { checkRoleRequest } from './request';

/** Seed 003: POST /v1/practitioner-roles, GET /v1/practitioner-roles/{id}, in the data/meta envelope. */
export const practitionerRolesApi: V1Api = {
  prefixes: ['/v1/practitioner-roles'],
  shape: 'meta-envelope',
  acceptsJson: true,
  routes: [
    {
      method: 'post',
      path: '/',
      handle: async (req) => {
        const role = await createPractitionerRole(req.service, checkRoleRequest(req.body));
        return { data: role, createdId: role.id };
      },
    },
    { method: 'get', path: '/:id', handle: async (req) => ({ data: await readPractitionerRole(req.service, req.params.id ?? '') }) },
  ],
};
