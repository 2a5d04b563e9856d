import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import type { WebhookMode } from './faults';

/** Junction's webhook envelope (`ClientFacingOrderChanged` for order events). */
export interface WebhookEnvelope {
  event_type: string;
  user_id: string;
  client_user_id: string;
  team_id: string;
  data: unknown;
}

/** Satisfied by a pino logger. */
export interface SandboxLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface WebhookSenderOptions {
  url: () => string | undefined;
  /** `whsec_<base64>`, as Svix shows it. */
  secret: string;
  logger?: SandboxLogger;
  /** Waits before the retries of a failed delivery. */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}

interface Message {
  id: string;
  eventType: string;
  body: string;
}

/**
 * Delivers webhooks as Junction does through Svix: POST, JSON body, `svix-id`, `svix-timestamp`
 * and `svix-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), a 2xx within the
 * timeout counting as delivered, and a re-sent message keeping its `svix-id`. Deliveries run one
 * at a time in the order queued, so the `webhooks` fault switch decides the order receivers see.
 */
export class WebhookSender {
  private readonly signer: Webhook;
  private readonly closing = new AbortController();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(private readonly options: WebhookSenderOptions) {
    this.signer = new Webhook(options.secret);
  }

  /** Fire and forget: `out_of_order` reverses the batch, `duplicate` sends each message twice. */
  enqueue(events: readonly WebhookEnvelope[], mode: WebhookMode): void {
    const ordered = mode === 'out_of_order' ? [...events].reverse() : events;
    for (const event of ordered) {
      const message = { id: `msg_${randomUUID().replaceAll('-', '')}`, eventType: event.event_type, body: JSON.stringify(event) };
      for (let copy = 0; copy < (mode === 'duplicate' ? 2 : 1); copy++) {
        this.queued++;
        this.queue = this.queue.then(() => this.deliver(message)).finally(() => this.queued--);
      }
    }
  }

  /** Messages queued and not yet delivered or given up. */
  get pending(): number {
    return this.queued;
  }

  /** Resolves once every queued message has been delivered or given up. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Abandons what is still queued. */
  close(): Promise<void> {
    this.closing.abort();
    return this.queue;
  }

  private async deliver(message: Message): Promise<void> {
    const delays = this.options.retryDelaysMs ?? [200, 1000];
    for (let attempt = 1; attempt <= delays.length + 1 && !this.closing.signal.aborted; attempt++) {
      const url = this.options.url();
      if (url === undefined) return;
      const outcome = await this.post(url, message);
      if (outcome === 'delivered') return;
      // Only ids and codes: the body is an order, full of PHI.
      this.options.logger?.warn({ svixId: message.id, eventType: message.eventType, attempt, outcome }, 'junction sandbox: webhook delivery failed');
      const wait = delays[attempt - 1];
      if (wait !== undefined) await sleep(wait, undefined, { signal: this.closing.signal }).catch(() => undefined);
    }
  }

  private async post(url: string, message: Message): Promise<string> {
    const timestamp = new Date();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'svix-id': message.id,
          'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'svix-signature': this.signer.sign(message.id, timestamp, message.body),
        },
        body: message.body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? 15_000), this.closing.signal]),
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300 ? 'delivered' : `http_${response.status}`;
    } catch (err) {
      return (err as { name?: string }).name ?? 'error';
    }
  }
}
