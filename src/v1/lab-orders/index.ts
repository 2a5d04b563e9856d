import type { ServiceRequest } from '@medplum/fhirtypes';
import { fromFhir, isLabOrder } from '../../../mappings/lab-orders';
import { invalidField, notFoundProblem } from '../../problems/problem';
import type { V1Api } from '../api';
import { checkLabOrderRequest } from './request';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Printable ASCII, 1–255 characters; an sf-string (`"…"`) is taken without its quotes. */
const KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * Seed 001: POST /v1/lab-orders places a Junction order (idempotency-key required; the flow is
 * src/junction/lab-orders.ts), GET /v1/lab-orders/{id} shows its current status.
 */
export const labOrdersApi: V1Api = {
  prefixes: ['/v1/lab-orders'],
  shape: 'error-message',
  acceptsJson: true,
  routes: [
    {
      method: 'post',
      path: '/',
      handle: (req) => {
        const idempotencyKey = idempotencyKeyOf(req.header('idempotency-key'));
        return req.ports.placeLabOrder({ body: checkLabOrderRequest(req.body), idempotencyKey, service: req.service });
      },
    },
    {
      method: 'get',
      path: '/:id',
      handle: async (req) => {
        const id = req.params.id ?? '';
        // Every lab ServiceRequest is a lab order, also one written over FHIR without the /v1 profile.
        const [stored] = UUID.test(id) ? await req.service.readMany('ServiceRequest', [id]) : [];
        if (!stored || !isLabOrder(stored.resource)) throw notFoundProblem('No lab order exists with this id', 'id');
        return { data: fromFhir(stored.resource as ServiceRequest, stored) };
      },
    },
  ],
};

function idempotencyKeyOf(header: string | undefined): string {
  const key = header?.trim().replace(/^"(.*)"$/, '$1') ?? '';
  if (!KEY.test(key)) {
    throw invalidField('idempotency-key', 'The idempotency-key header is required: 1 to 255 printable ASCII characters, e.g. a UUID');
  }
  return key;
}
