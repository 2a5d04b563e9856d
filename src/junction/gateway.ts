/**
 * The port to the lab: the subset of the Junction API our server uses, typed as Junction
 * documents it (swagger "Junction API" v0.4.687; see /work/shared/reference/junction.md).
 * `JunctionClient` implements it over HTTP; the embedded sandbox answers the same calls.
 */

export type CollectionMethod = 'testkit' | 'walk_in_test' | 'at_home_phlebotomy' | 'on_site_collection';

export type Gender = 'female' | 'male' | 'other' | 'unknown';

/** `PatientDetails`: every field is required by Junction. */
export interface JunctionPatientDetails {
  first_name: string;
  last_name: string;
  /** YYYY-MM-DD */
  dob: string;
  gender: Gender;
  phone_number: string;
  email: string;
}

export interface JunctionPatientAddress {
  receiver_name?: string;
  first_line: string;
  second_line?: string;
  city: string;
  /** US state code, e.g. `AZ` */
  state: string;
  /** `^\d{5}(-\d{4})?$` */
  zip: string;
  country: string;
  phone_number?: string;
  access_notes?: string;
}

/** `PhysicianCreateRequest`, sent inline on each order (Junction has no physician registration). */
export interface JunctionPhysicianRequest {
  first_name: string;
  last_name: string;
  npi: string;
  licensed_states: string[];
}

/** The subset of `CreateOrderRequestCompatible` we send to `POST /v3/order`. */
export interface JunctionOrderRequest {
  user_id: string;
  order_set: { lab_test_ids: string[] };
  collection_method?: CollectionMethod;
  patient_details: JunctionPatientDetails;
  patient_address: JunctionPatientAddress;
  /** Omitted: Junction's physician network signs the order. */
  physician?: JunctionPhysicianRequest;
  /** Our own opaque value, echoed back on the order (our lab order id, for reconciliation). */
  passthrough?: string;
}

/** A physician as Junction returns it, on orders and in the team network. */
export interface JunctionPhysician {
  first_name: string;
  last_name: string;
  npi: string;
}

/** One status change; `status` is `<high>.<modality>.<low>` (see ./status.ts). */
export interface JunctionOrderEvent {
  id: number;
  created_at: string;
  status: string;
  status_detail?: string | null;
}

export interface JunctionOrderTransaction {
  id: string;
  /** `active`, `completed`, `cancelled`; documented as non-exhaustive. */
  status: string;
}

/** The fields of `ClientFacingOrder` that we read. */
export interface JunctionOrder {
  id: string;
  team_id: string;
  user_id: string;
  /** Deprecated top-level status (high level only); prefer `last_event`. */
  status: string;
  events: JunctionOrderEvent[];
  last_event?: JunctionOrderEvent | null;
  order_transaction?: JunctionOrderTransaction | null;
  /** The lab's accession number, once it exists. */
  sample_id?: string | null;
  physician: JunctionPhysician | null;
  passthrough?: string | null;
  created_at: string;
  updated_at: string;
}

/** `PostOrderResponse`; the values of `status` and `message` are undocumented. */
export interface JunctionPostOrderResponse {
  order: JunctionOrder;
  status: string;
  message: string;
}

export interface LabGateway {
  /** POST /v2/user; an existing client_user_id resolves to its user (400 conflict body or GET /v2/user/resolve/{id}). */
  ensureUser(clientUserId: string): Promise<{ userId: string }>;
  /** POST /v3/order with X-Idempotency-Key. */
  createOrder(order: JunctionOrderRequest, idempotencyKey: string): Promise<JunctionOrder>;
  /** GET /v3/order/{id}; undefined on 404. */
  getOrder(orderId: string): Promise<JunctionOrder | undefined>;
  /**
   * GET /v3/orders?user_id= — the user's order whose `passthrough` is ours: how an attempt with
   * an unknown outcome is settled before sending again.
   */
  findOrderByPassthrough(userId: string, passthrough: string): Promise<JunctionOrder | undefined>;
  /** GET /v2/team/{team_id}/physicians filtered by NPI; undefined when the team has none with it. */
  findTeamPhysician(npi: string): Promise<JunctionPhysician | undefined>;
}
