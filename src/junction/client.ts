import { isBrokenCircuitError } from 'cockatiel';
import { JunctionConflictError, JunctionRejectedError, JunctionUnavailableError } from './errors';
import type { JunctionOrder, JunctionOrderRequest, JunctionPhysician, LabGateway } from './gateway';
import { describeRejection } from './rejection';
import { createResiliencePolicy, type ResilienceOptions } from './resilience';
import { readConflictingUserId, readOrder, readOrderPage, readPhysicians, readPostedOrder, readResponse, readUserId } from './responses';
import { sendJunctionRequest, type JunctionRequest, type JunctionResponse, type TransportOptions } from './transport';

export interface JunctionClientOptions extends Partial<ResilienceOptions> {
  baseUrl: string;
  apiKey: string;
  teamId: string;
  /** Per attempt, body included. Default 10 s. */
  timeoutMs?: number;
}

/** https://docs.junction.com/api-details/junction-api */
export function junctionBaseUrl(target: { environment: 'sandbox' | 'production'; region: 'us' | 'eu' }): string {
  const environment = target.environment === 'sandbox' ? 'sandbox.' : '';
  return `https://api.${environment}${target.region}.junction.com`;
}

/**
 * The Junction API over HTTP. Every call has a per-attempt timeout and is retried with capped,
 * jittered backoff on timeouts, network errors, 408, 429 and 5xx (honouring Retry-After); a
 * write is retried with the same idempotency key, so retries never place a second order. One
 * circuit breaker per client: share one client per process.
 */
export class JunctionClient implements LabGateway {
  private readonly transport: TransportOptions;
  private readonly teamId: string;
  private readonly policy: ReturnType<typeof createResiliencePolicy>;

  constructor(options: JunctionClientOptions) {
    this.transport = { baseUrl: options.baseUrl, apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 10_000 };
    this.teamId = options.teamId;
    this.policy = createResiliencePolicy({
      maxAttempts: options.maxAttempts ?? 3,
      backoff: options.backoff ?? { initialMs: 200, maxMs: 5_000 },
      breaker: options.breaker ?? { threshold: 5, halfOpenAfterMs: 30_000 },
    });
  }

  async ensureUser(clientUserId: string): Promise<{ userId: string }> {
    const created = await this.call({ method: 'POST', path: '/v2/user', body: { client_user_id: clientUserId } });
    if (created.status !== 400) return { userId: readResponse(() => readUserId(expectSuccess(created)), true) };
    const existing = readConflictingUserId(created.body);
    if (existing !== undefined) return { userId: existing };
    const resolved = await this.call({ method: 'GET', path: `/v2/user/resolve/${encodeURIComponent(clientUserId)}` });
    if (resolved.status === 404) throw rejection(created);
    return { userId: readResponse(() => readUserId(expectSuccess(resolved)), false) };
  }

  async createOrder(order: JunctionOrderRequest, idempotencyKey: string): Promise<JunctionOrder> {
    const response = await this.call({ method: 'POST', path: '/v3/order', body: order, idempotencyKey });
    return readResponse(() => readPostedOrder(expectSuccess(response)), true);
  }

  async getOrder(orderId: string): Promise<JunctionOrder | undefined> {
    const response = await this.call({ method: 'GET', path: `/v3/order/${encodeURIComponent(orderId)}` });
    if (response.status === 404) return undefined;
    return readResponse(() => readOrder(expectSuccess(response)), false);
  }

  async findOrderByPassthrough(userId: string, passthrough: string): Promise<JunctionOrder | undefined> {
    const response = await this.call({ method: 'GET', path: `/v3/orders?user_id=${encodeURIComponent(userId)}&size=100` });
    return readResponse(() => readOrderPage(expectSuccess(response)), false).find((order) => order.passthrough === passthrough);
  }

  async findTeamPhysician(npi: string): Promise<JunctionPhysician | undefined> {
    const response = await this.call({ method: 'GET', path: `/v2/team/${encodeURIComponent(this.teamId)}/physicians` });
    return readResponse(() => readPhysicians(expectSuccess(response)), false).find((physician) => physician.npi === npi);
  }

  /**
   * One call through the policy. `outcomeUnknown` stays true once any attempt may have reached
   * Junction: a later attempt that is refused outright does not undo what an earlier one did.
   */
  private async call(request: JunctionRequest): Promise<JunctionResponse> {
    let outcomeUnknown = false;
    try {
      return await this.policy.execute(async () => {
        try {
          const response = await sendJunctionRequest(this.transport, request);
          // Our retries resend the same body, so a 409 here means the earlier attempt is still running.
          if (response.status === 409 && outcomeUnknown) throw new JunctionUnavailableError({ reason: 'in_progress', status: 409, outcomeUnknown: true });
          return response;
        } catch (err) {
          if (err instanceof JunctionUnavailableError && err.outcomeUnknown) outcomeUnknown = true;
          throw err;
        }
      });
    } catch (err) {
      if (isBrokenCircuitError(err)) throw new JunctionUnavailableError({ reason: 'circuit_open', outcomeUnknown });
      if (err instanceof JunctionUnavailableError && outcomeUnknown && !err.outcomeUnknown) {
        throw new JunctionUnavailableError({ reason: err.reason, status: err.status, retryAfterMs: err.retryAfterMs, outcomeUnknown });
      }
      throw err;
    }
  }
}

function expectSuccess(response: JunctionResponse): unknown {
  if (response.status >= 200 && response.status < 300) return response.body;
  throw rejection(response);
}

function rejection(response: JunctionResponse): Error {
  if (response.status === 409) return new JunctionConflictError();
  const { fields, code } = describeRejection(response.body);
  return new JunctionRejectedError(response.status, fields, code);
}
