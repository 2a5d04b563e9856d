import { createHash } from 'node:crypto';
import type { Patient, Practitioner, ServiceRequest } from '@medplum/fhirtypes';
import type { Knex } from 'knex';
import { PROFILE } from '../../mappings/fhir-urls';
import { withOverrides } from '../../mappings/lab-order-overrides';
import { fromFhir, toFhir } from '../../mappings/lab-orders';
import { fromFhir as physicianOf } from '../../mappings/physicians';
import type { V1LabOrderRequest } from '../../mappings/types';
import { criterionOf, oldestFirst } from '../fhir/search/compose';
import type { FhirService } from '../fhir/service';
import { invalidField, ProblemError } from '../problems/problem';
import { claimKey, noteResource, readKey, releaseKey, retakeKey, settleKey, type IdempotencyScope } from '../store/idempotency';
import type { V1Reply } from '../v1/api';
import { junctionPatientOf, LabOrderInputError } from './order-payload';
import type { LabOrderSubmitter } from './submitter';
import { inRequestTerms as fhirErrorInRequestTerms } from '../v1/request-terms';

/** A request still "in flight" after this long has lost its process: a retry takes it over. */
const STALE_MS = 60_000;
const SCOPE = 'POST /v1/lab-orders';

/**
 * `POST /v1/lab-orders` (seed 001): one idempotency key, one order. The first request with a
 * key stores the ServiceRequest (its outbox row commits with it), submits it to Junction while
 * the client waits, and stores its answer: a 201 is replayed to every retry with the same key
 * and body, a 502 is not final — a retry drives the same order on (never a second one).
 */
export class LabOrderDesk {
  constructor(
    private readonly knex: Knex,
    private readonly submitter: LabOrderSubmitter,
  ) {}

  async place(body: V1LabOrderRequest, idempotencyKey: string, service: FhirService): Promise<V1Reply> {
    const at: IdempotencyScope = { tenantId: service.tenantId, scope: SCOPE, key: idempotencyKey };
    const fingerprint = fingerprintOf(body);
    if (await claimKey(this.knex, at, fingerprint)) return this.placeNew(at, body, service);
    const record = await readKey(this.knex, at);
    if (!record) return this.place(body, idempotencyKey, service);
    if (record.fingerprint !== fingerprint) {
      throw new ProblemError({
        kind: 'conflict',
        code: 'idempotency_conflict',
        message: 'This idempotency-key was used with a different request body',
        field: 'idempotency-key',
      });
    }
    if (record.state === 'completed') return replay(record.responseStatus, record.responseBody);
    if (!(await retakeKey(this.knex, at, STALE_MS))) throw inFlight();
    return record.resourceId ? this.submit(at, record.resourceId, service) : this.placeNew(at, body, service);
  }

  private async placeNew(at: IdempotencyScope, body: V1LabOrderRequest, service: FhirService): Promise<V1Reply> {
    let id: string;
    try {
      const [patient] = await service.readMany('Patient', [body.patient_id]);
      if (!patient) throw invalidField('patient_id', 'patient_id does not name a patient');
      const junctionPatient = inRequestTerms(() => junctionPatientOf(body, patient.resource as Patient));
      const requester = await orderingPhysician(service, junctionPatient.address.state);
      const order = withOverrides(toFhir(body, { requester }), { patient: body.patient, address: body.address });
      // A 422 from FHIR validation is the client's input: a 400 naming the request field.
      id = (await service.create(order).catch((e: unknown) => Promise.reject(fhirErrorInRequestTerms(e, body, order)))).resource.id as string;
    } catch (err) {
      // Nothing was stored: the key is free for a corrected request.
      await releaseKey(this.knex, at);
      throw err;
    }
    await noteResource(this.knex, at, id);
    return this.submit(at, id, service);
  }

  /** Submits (or finds submitted) the order and stores the answer under the key. */
  private async submit(at: IdempotencyScope, id: string, service: FhirService): Promise<V1Reply> {
    const row = await this.submitter.submitNow(at.tenantId, id);
    const [stored] = await service.readMany('ServiceRequest', [id]);
    if (row?.state === 'submitted' && stored) {
      const data = fromFhir(stored.resource as ServiceRequest, stored);
      await settleKey(this.knex, at, { final: true, status: 201, body: data });
      return { data, createdId: id };
    }
    const failure = { error: 'junction_error', message: 'Junction could not take the order; retry with the same idempotency-key to complete it' };
    await settleKey(this.knex, at, { final: row?.state === 'dead', status: 502, body: failure });
    throw new ProblemError({ kind: 'badGateway', code: failure.error, message: failure.message });
  }
}

/**
 * The ordering physician: the tenant's oldest /v1 physician registration that is `active` (a
 * New York one needs its CLEP permit) for the patient's state, recorded as `requester` and
 * sent inline; none → Junction's own physician network.
 */
async function orderingPhysician(service: FhirService, state: string): Promise<string | undefined> {
  const criteria = [criterionOf('Practitioner', '_profile', PROFILE.v1Physician), criterionOf('Practitioner', 'active:not', 'false')];
  for (let offset = 0, more = true; more; offset += 100) {
    const page = await service.search('Practitioner', oldestFirst(criteria, 100, offset));
    const licensed = page.versions.find((v) => {
      const physician = physicianOf(v.resource as Practitioner, v);
      return physician.status === 'active' && physician.license_state === state;
    });
    if (licensed) return licensed.resource.id;
    more = page.more;
  }
  return undefined;
}

function inRequestTerms<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof LabOrderInputError) throw invalidField(err.field, err.message);
    throw err;
  }
}

function replay(status: number | null, body: unknown): V1Reply {
  if (status === 201) return { data: body, createdId: (body as { id: string }).id, headers: { 'Idempotent-Replayed': 'true' } };
  const failure = body as { error: string; message: string };
  throw new ProblemError({ kind: 'badGateway', code: failure.error, message: failure.message, headers: { 'Idempotent-Replayed': 'true' } });
}

function inFlight(): ProblemError {
  return new ProblemError({
    kind: 'conflict',
    code: 'idempotency_in_flight',
    message: 'A request with this idempotency-key is still being processed; retry shortly',
    headers: { 'Retry-After': '1' },
  });
}

/** SHA-256 of the body with its keys sorted: the same request, however its JSON is laid out. */
function fingerprintOf(body: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
          )
        : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}
