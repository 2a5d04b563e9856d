import { JunctionUnavailableError } from './errors';
import type { JunctionOrder, JunctionOrderEvent, JunctionOrderTransaction, JunctionPhysician } from './gateway';
import { isRecord } from './json';

/**
 * Junction's 2xx bodies, checked and projected onto our types: an answer of the wrong shape is
 * a failure of Junction (OWASP API10, unsafe consumption), and unknown fields are dropped.
 */
export class InvalidResponse extends Error {
  constructor() {
    super('Junction answered with an unexpected body');
  }
}

/** Turns a malformed answer into the error callers handle; `writes` says whether Junction may have acted. */
export function readResponse<T>(read: () => T, writes: boolean): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof InvalidResponse) throw new JunctionUnavailableError({ reason: 'invalid_response', outcomeUnknown: writes });
    throw err;
  }
}

/** `ClientFacingUser.user_id`. */
export function readUserId(body: unknown): string {
  return string(isRecord(body) ? body.user_id : undefined);
}

/** The existing user's id in a 400 `ClientUserIDConflictResponse`, when there is one. */
export function readConflictingUserId(body: unknown): string | undefined {
  const detail = isRecord(body) ? body.detail : undefined;
  return isRecord(detail) && typeof detail.user_id === 'string' && detail.user_id !== '' ? detail.user_id : undefined;
}

/** `PostOrderResponse.order`. */
export function readPostedOrder(body: unknown): JunctionOrder {
  return readOrder(isRecord(body) ? body.order : undefined);
}

export function readOrder(body: unknown): JunctionOrder {
  if (!isRecord(body) || !Array.isArray(body.events)) throw new InvalidResponse();
  return {
    id: string(body.id),
    team_id: string(body.team_id),
    user_id: string(body.user_id),
    status: string(body.status),
    events: body.events.map(readEvent),
    last_event: optional(body.last_event, readEvent),
    order_transaction: optional(body.order_transaction, readTransaction),
    sample_id: optional(body.sample_id, string),
    physician: optional(body.physician, readPhysician) ?? null,
    passthrough: optional(body.passthrough, string),
    created_at: string(body.created_at),
    updated_at: string(body.updated_at),
  };
}

/** `GET /v3/orders`: `{ orders, total, page, size }`. */
export function readOrderPage(body: unknown): JunctionOrder[] {
  if (!isRecord(body) || !Array.isArray(body.orders)) throw new InvalidResponse();
  return body.orders.map(readOrder);
}

/** `GET /v2/team/{team_id}/physicians`. */
export function readPhysicians(body: unknown): JunctionPhysician[] {
  if (!Array.isArray(body)) throw new InvalidResponse();
  return body.map(readPhysician);
}

function readPhysician(value: unknown): JunctionPhysician {
  if (!isRecord(value)) throw new InvalidResponse();
  return { first_name: string(value.first_name), last_name: string(value.last_name), npi: string(value.npi) };
}

function readEvent(value: unknown): JunctionOrderEvent {
  if (!isRecord(value) || typeof value.id !== 'number') throw new InvalidResponse();
  return { id: value.id, created_at: string(value.created_at), status: string(value.status), status_detail: optional(value.status_detail, string) };
}

function readTransaction(value: unknown): JunctionOrderTransaction {
  if (!isRecord(value)) throw new InvalidResponse();
  return { id: string(value.id), status: string(value.status) };
}

function string(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidResponse();
  return value;
}

function optional<T>(value: unknown, read: (value: unknown) => T): T | null {
  return value === undefined || value === null ? null : read(value);
}
