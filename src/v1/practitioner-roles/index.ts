import express from 'express';
import type { V1Deps, V1Family } from '..';
import { v1JsonBody } from '../json-body';
import { createPractitionerRole } from './create-role';
import { sendData, writeRoleError } from './envelope';
import { readPractitionerRole } from './read-role';
import { checkRoleRequest } from './request';

/** Seed 003: POST /v1/practitioner-roles, GET /v1/practitioner-roles/{id}, in the data/meta envelope. */
export function practitionerRolesFamily(deps: V1Deps): V1Family {
  const router = express.Router();
  router.use(v1JsonBody(deps.bodyLimit));
  router.post('/', async (req, res) => {
    const role = await createPractitionerRole(deps.serviceFor(req), checkRoleRequest(req.body));
    res.location(`${req.baseUrl}/${role.id}`);
    sendData(req, res, 201, role);
  });
  router.get('/:id', async (req, res) => {
    sendData(req, res, 200, await readPractitionerRole(deps.serviceFor(req), req.params.id));
  });
  return { prefixes: ['/v1/practitioner-roles'], router, writeError: writeRoleError };
}
