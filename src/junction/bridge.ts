import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { ServiceHooks } from '../fhir/access';
import type { FhirService } from '../fhir/service';
import type { Logger } from '../logger';
import { ProblemError } from '../problems/problem';
import type { V1Ports } from '../v1/api';
import { JunctionClient, junctionBaseUrl } from './client';
import { JunctionUnavailableError } from './errors';
import { LabOrderDesk } from './lab-orders';
import { labOrderHook } from './lab-order-hook';
import { loadJunctionPanels } from './panels';
import { createJunctionSandbox, SANDBOX_TEAM_ID, type JunctionSandbox } from './sandbox/sandbox';
import { LabOrderSubmitter } from './submitter';
import { JunctionWebhooks } from './webhooks';

export interface JunctionBridge {
  /** On every FHIR service: lab ServiceRequests get their outbox row. */
  hook: ServiceHooks;
  ports: V1Ports;
  webhooks: JunctionWebhooks;
  /** The embedded sandbox's router, when no JUNCTION_API_KEY is configured. */
  sandbox?: Router;
  describe: string;
  start(): void;
  close(): Promise<void>;
}

export interface BridgeDeps {
  config: Config;
  knex: Knex;
  logger: Logger;
  systemService(tenantId: string): FhirService;
  /** Where this server answers on loopback, for the embedded sandbox (API calls and webhooks). */
  selfUrl: string;
}

const PANELS = ['hashimotos', 'pcos', 'fertility'];

/**
 * Everything that makes the facade place lab orders: the Junction client (or the embedded
 * sandbox and a client pointed at it), the outbox submitter, the webhook receiver, the hook
 * that gives lab ServiceRequests their outbox row, and the /v1 ports.
 */
export function createJunctionBridge(deps: BridgeDeps): JunctionBridge {
  const settings = deps.config.junction;
  const webhookSecret = settings.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`;
  const sandbox: JunctionSandbox | undefined = settings.sandbox
    ? createJunctionSandbox({ webhookSecret, webhookUrl: `${deps.selfUrl}/webhooks/junction`, logger: deps.logger })
    : undefined;
  const baseUrl = settings.baseUrl ?? (sandbox ? `${deps.selfUrl}/junction-sandbox` : junctionBaseUrl(settings));
  const gateway = new JunctionClient({
    baseUrl,
    apiKey: settings.apiKey,
    teamId: settings.teamId ?? SANDBOX_TEAM_ID,
    timeoutMs: settings.timeoutMs,
  });
  const submitter = new LabOrderSubmitter({
    knex: deps.knex,
    gateway,
    systemService: deps.systemService,
    logger: deps.logger,
    maxAttempts: settings.maxAttempts,
    pollMs: settings.pollMs,
  });
  const desk = new LabOrderDesk(deps.knex, submitter);
  const panels = loadJunctionPanels(settings.panelsFile, PANELS);
  return {
    hook: labOrderHook(panels, () => submitter.kick()),
    ports: {
      placeLabOrder: ({ body, idempotencyKey, service }) => desk.place(body, idempotencyKey, service),
      junctionPhysicianId: async (npi) => {
        try {
          return (await gateway.findTeamPhysician(npi))?.npi ?? null;
        } catch (err) {
          if (!(err instanceof JunctionUnavailableError)) throw err;
          throw new ProblemError({
            kind: 'badGateway',
            code: 'junction_error',
            message: 'Junction could not be reached to register the physician; nothing was stored, retry later',
          });
        }
      },
    },
    webhooks: new JunctionWebhooks({ knex: deps.knex, gateway, systemService: deps.systemService, secret: webhookSecret, logger: deps.logger }),
    sandbox: sandbox?.router,
    describe: sandbox ? 'the embedded Junction sandbox at /junction-sandbox (no JUNCTION_API_KEY): lab orders go to a sandbox' : `Junction at ${baseUrl}`,
    start: () => submitter.start(),
    close: async () => {
      await submitter.stop();
      await sandbox?.close();
    },
  };
}
