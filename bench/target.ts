import type { LoadSpec } from './load/spec';

/** One thing measured: a load against one of the started processes. */
export interface Target {
  name: string;
  /** Baselines are the yardsticks; scenarios run against the server. */
  group: 'baseline' | 'server';
  /** Which started process answers (a key of the services map). */
  service: string;
  spec: LoadSpec;
  connections: number;
  /** Resources written per request (transaction Bundles): resources/s = req/s × this. */
  resourcesPerRequest?: number;
  /** After each measurement, waits until the service has finished what the load set off (the seconds waited). */
  settle?: () => Promise<number>;
}
