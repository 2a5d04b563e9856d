import clinicianProfilesError from '../../mappings/schemas/clinician-profiles.error.json';
import clinicianProfilesList from '../../mappings/schemas/clinician-profiles.list.json';
import clinicianProfilesQuery from '../../mappings/schemas/clinician-profiles.query.json';
import clinicianProfilesSingle from '../../mappings/schemas/clinician-profiles.single.json';
import labOrders201 from '../../mappings/schemas/lab-orders.201.json';
import labOrders400 from '../../mappings/schemas/lab-orders.400.json';
import labOrders409 from '../../mappings/schemas/lab-orders.409.json';
import labOrders502 from '../../mappings/schemas/lab-orders.502.json';
import labOrdersRequest from '../../mappings/schemas/lab-orders.request.json';
import patients201 from '../../mappings/schemas/patients.201.json';
import patients400 from '../../mappings/schemas/patients.400.json';
import patients409 from '../../mappings/schemas/patients.409.json';
import patients500 from '../../mappings/schemas/patients.500.json';
import patientsRequest from '../../mappings/schemas/patients.request.json';
import physicians201 from '../../mappings/schemas/physicians.201.json';
import physicians400 from '../../mappings/schemas/physicians.400.json';
import physicians409 from '../../mappings/schemas/physicians.409.json';
import physicians502 from '../../mappings/schemas/physicians.502.json';
import physiciansRequest from '../../mappings/schemas/physicians.request.json';
import practitionerRoles201 from '../../mappings/schemas/practitioner-roles.201.json';
import practitionerRolesError from '../../mappings/schemas/practitioner-roles.error.json';
import practitionerRolesRequest from '../../mappings/schemas/practitioner-roles.request.json';

/**
 * The seed JSON Schemas of `mappings/schemas/`, by file name: the request checks compile them
 * and the OpenAPI document publishes them, so what is documented is what is enforced.
 */
export const V1_SCHEMAS = {
  'clinician-profiles.error': clinicianProfilesError,
  'clinician-profiles.list': clinicianProfilesList,
  'clinician-profiles.query': clinicianProfilesQuery,
  'clinician-profiles.single': clinicianProfilesSingle,
  'lab-orders.201': labOrders201,
  'lab-orders.400': labOrders400,
  'lab-orders.409': labOrders409,
  'lab-orders.502': labOrders502,
  'lab-orders.request': labOrdersRequest,
  'patients.201': patients201,
  'patients.400': patients400,
  'patients.409': patients409,
  'patients.500': patients500,
  'patients.request': patientsRequest,
  'physicians.201': physicians201,
  'physicians.400': physicians400,
  'physicians.409': physicians409,
  'physicians.502': physicians502,
  'physicians.request': physiciansRequest,
  'practitioner-roles.201': practitionerRoles201,
  'practitioner-roles.error': practitionerRolesError,
  'practitioner-roles.request': practitionerRolesRequest,
};

export type V1SchemaName = keyof typeof V1_SCHEMAS;
