import type { V1Api } from '../api';
import { createPractitionerRole } from './create-role';
import { readPractitionerRole } from './read-role';
import { checkRoleRequest } from './request';

/** Seed 003: POST /v1/practitioner-roles, GET /v1/practitioner-roles/{id}, in the data/meta envelope. */
export const practitionerRolesApi: V1Api = {
  prefixes: ['/v1/practitioner-roles'],
  shape: 'meta-envelope',
  acceptsJson: true,
  doc: {
    tag: 'Practitioner roles',
    description:
      'Practitioner roles (seed 003), stored as FHIR PractitionerRole resources. Every answer is the `{ data | error, meta }` envelope; `meta` repeats the request id and the rate-limit budget.',
    errors: { default: 'practitioner-roles.error' },
  },
  routes: [
    {
      method: 'post',
      path: '/',
      handle: async (req) => {
        const role = await createPractitionerRole(req.service, checkRoleRequest(req.body));
        return { data: role, createdId: role.id };
      },
      doc: {
        operationId: 'createPractitionerRole',
        summary: 'Create a practitioner role',
        description: 'organizationName and locationName are found or created as FHIR Organization and Location resources by exact name.',
        body: 'practitioner-roles.request',
        reply: { kind: 'created', description: 'The role was created', schema: 'practitioner-roles.201', headers: ['Location'] },
        failures: {
          badRequest: {
            description: 'validation_error: the body breaks the schema, repeats a day, or its time window ends before it starts; the message names the field',
          },
          notFound: { description: 'not_found: practitionerId names no Practitioner of the tenant' },
          unprocessable: { description: 'validation_error: FHIR validation refused the mapped resource' },
        },
      },
    },
    {
      method: 'get',
      path: '/:id',
      handle: async (req) => ({ data: await readPractitionerRole(req.service, req.params.id ?? '') }),
      doc: {
        operationId: 'readPractitionerRole',
        summary: 'Read a practitioner role',
        reply: { kind: 'ok', description: 'The role', schema: 'practitioner-roles.201' },
        failures: { notFound: { description: 'not_found: no role of this tenant has this id' } },
      },
    },
  ],
};
