import type { ServiceRequest } from '@medplum/fhirtypes';
import { fromFhir, isLabOrder } from '../../../mappings/lab-orders';
import { invalidField, notFoundProblem } from '../../problems/problem';
import type { V1Api } from '../api';
import { checkLabOrderRequest } from './request';
import { isUuid } from '../../uuid-text';

/** Printable ASCII, 1–255 characters; an sf-string (`"…"`) is taken without its quotes. */
export const KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * Seed 001: POST /v1/lab-orders places a Junction order (idempotency-key required; the flow is
 * src/junction/lab-orders.ts), GET /v1/lab-orders/{id} shows its current status.
 */
export const labOrdersApi: V1Api = {
  prefixes: ['/v1/lab-orders'],
  shape: 'error-message',
  acceptsJson: true,
  doc: {
    tag: 'Lab orders',
    description: 'Lab orders (seed 001, clinical): a FHIR ServiceRequest that becomes exactly one Junction order. Errors are `{ error, message }`.',
    errors: { default: 'lab-orders.400', conflict: 'lab-orders.409', badGateway: 'lab-orders.502' },
  },
  routes: [
    {
      method: 'post',
      path: '/',
      handle: (req) => {
        const idempotencyKey = idempotencyKeyOf(req.header('idempotency-key'));
        return req.ports.placeLabOrder({ body: checkLabOrderRequest(req.body), idempotencyKey, service: req.service });
      },
      doc: {
        operationId: 'createLabOrder',
        summary: 'Place a lab order',
        description:
          'Stores the order and places it with Junction while the client waits. One idempotency-key places at most one order: a retry with the same key and body replays the answer (`Idempotent-Replayed: true`) or drives the same order on after a 502.',
        body: 'lab-orders.request',
        headers: [
          {
            name: 'idempotency-key',
            required: true,
            description: 'Names this order for retries: 1 to 255 printable ASCII characters, e.g. a UUID (an sf-string in quotes is taken without them)',
            schema: { type: 'string', pattern: KEY.source },
          },
        ],
        reply: {
          kind: 'created',
          description: 'The order exists here and at Junction',
          schema: 'lab-orders.201',
          headers: ['Location', 'Idempotent-Replayed'],
        },
        failures: {
          badRequest: {
            description:
              'validation_error: the body breaks the schema, the idempotency-key header is missing or malformed, or patient_id names no patient; the message names the field',
          },
          conflict: {
            description:
              'idempotency_conflict: this idempotency-key was used with a different body; idempotency_in_flight: a request with this key is still running (retry after Retry-After)',
            headers: ['Retry-After'],
          },
          badGateway: {
            description: 'junction_error: Junction did not take the order yet; retry with the same idempotency-key',
            headers: ['Idempotent-Replayed'],
          },
        },
      },
    },
    {
      method: 'get',
      path: '/:id',
      handle: async (req) => {
        const id = req.params.id ?? '';
        // Every lab ServiceRequest is a lab order, also one written over FHIR without the /v1 profile.
        const [stored] = isUuid(id) ? await req.service.readMany('ServiceRequest', [id]) : [];
        if (!stored || !isLabOrder(stored.resource)) throw notFoundProblem('No lab order exists with this id', 'id');
        return { data: fromFhir(stored.resource as ServiceRequest, stored) };
      },
      doc: {
        operationId: 'readLabOrder',
        summary: 'Read a lab order',
        description: 'The order with its current status, which Junction webhooks move.',
        reply: { kind: 'ok', description: 'The lab order', schema: 'lab-orders.201' },
        failures: { notFound: { description: 'No lab order of this tenant has this id' } },
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
