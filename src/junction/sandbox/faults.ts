import type { RequestHandler, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRecord } from '../json';
import { matchesRoute } from './route-match';

export type WebhookMode = 'normal' | 'duplicate' | 'out_of_order';

/**
 * One queued fault, consumed by the next API request it matches (`match` is `METHOD /path`,
 * `:param` segments match anything; no `match` matches every request):
 * - `status`: answer `status` without doing anything, with `Retry-After: retryAfter` if given;
 * - `hang`: do the request, then never answer (the caller times out);
 * - `reply_lost`: do the request, then drop the connection without answering.
 */
export type Fault = { match?: string } & ({ fault: 'status'; status: number; retryAfter?: number | string } | { fault: 'hang' } | { fault: 'reply_lost' });

export interface FaultSettings {
  /** Added before every API request is processed (after the idempotency key is claimed). */
  latencyMs: number;
  queue: Fault[];
  webhooks: WebhookMode;
}

const WEBHOOK_MODES: readonly WebhookMode[] = ['normal', 'duplicate', 'out_of_order'];

export class SandboxFaults {
  private current: FaultSettings = { latencyMs: 0, queue: [], webhooks: 'normal' };
  private readonly held = new Set<Response>();

  get settings(): FaultSettings {
    return structuredClone(this.current);
  }

  /** Merges `POST /_sandbox/faults`: latency and webhook mode replace, queued faults append. */
  configure(input: unknown): string | undefined {
    if (!isRecord(input)) return 'expected a JSON object';
    const { latencyMs, queue, webhooks } = input;
    if (latencyMs !== undefined && (typeof latencyMs !== 'number' || latencyMs < 0 || latencyMs > 60_000)) return 'latencyMs must be 0..60000';
    if (webhooks !== undefined && !WEBHOOK_MODES.includes(webhooks as WebhookMode)) return `webhooks must be one of ${WEBHOOK_MODES.join(', ')}`;
    if (queue !== undefined && (!Array.isArray(queue) || !queue.every(isFault))) return 'queue must be a list of faults (see docs/junction-sandbox.md)';
    this.current = {
      latencyMs: latencyMs ?? this.current.latencyMs,
      webhooks: (webhooks as WebhookMode | undefined) ?? this.current.webhooks,
      queue: [...this.current.queue, ...((queue as Fault[] | undefined) ?? [])],
    };
    return undefined;
  }

  reset(): void {
    this.current = { latencyMs: 0, queue: [], webhooks: 'normal' };
  }

  async delay(): Promise<void> {
    if (this.current.latencyMs > 0) await sleep(this.current.latencyMs);
  }

  readonly latency: RequestHandler = async (_req, _res, next) => {
    await this.delay();
    next();
  };

  /** Applies the first queued fault that matches the request, consuming it. */
  readonly middleware: RequestHandler = (req, res, next) => {
    const index = this.current.queue.findIndex((fault) => fault.match === undefined || matchesRoute(fault.match, req.method, req.path));
    const fault = index === -1 ? undefined : this.current.queue.splice(index, 1)[0];
    if (fault?.fault === 'status') {
      if (fault.retryAfter !== undefined) res.set('Retry-After', String(fault.retryAfter));
      res.status(fault.status).json({ detail: 'Simulated fault' });
      return;
    }
    if (fault?.fault === 'reply_lost') res.end = (() => res.socket?.destroy()) as unknown as Response['end'];
    if (fault?.fault === 'hang') this.hold(res);
    next();
  };

  /** Drops every held connection, so hung requests do not outlive the sandbox. */
  releaseHeld(): void {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  private hold(res: Response): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
    res.end = (() => res) as unknown as Response['end'];
  }
}

function isFault(value: unknown): value is Fault {
  if (!isRecord(value) || (value.match !== undefined && typeof value.match !== 'string')) return false;
  if (value.fault === 'hang' || value.fault === 'reply_lost') return true;
  const { status, retryAfter } = value;
  const validRetryAfter = retryAfter === undefined || (Number.isInteger(retryAfter) && (retryAfter as number) >= 0) || typeof retryAfter === 'string';
  return value.fault === 'status' && Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599 && validRetryAfter;
}
