import path from 'node:path';
import { syntheaLikePatient } from './fixtures';
import type { LoadSpec } from './load/spec';
import type { Target } from './target';

/** The baseline processes: each a small server under bench/baselines/, run with tsx. */
export const BASELINE_SERVICES = {
  'express-hello': 'express-hello.ts',
  'pg-read': 'pg-read.ts',
  'pg-insert': 'pg-insert.ts',
  'medplum-router': 'medplum-router.ts',
  'server-without-door': 'server-without-door.ts',
} as const;
export type BaselineService = keyof typeof BASELINE_SERVICES;

export const baselineEntry = (service: BaselineService): string => path.join(__dirname, 'baselines', BASELINE_SERVICES[service]);

export interface BaselineContext {
  /** Rows in the baseline table. */
  pgIds: string[];
  /** Patients created in the in-memory repository before measuring. */
  medplumIds: string[];
  connections: number;
}

export const baselinePatientBody = (mrn: string): string => JSON.stringify(syntheaLikePatient(mrn, 7));

export function baselineTargets(ctx: BaselineContext): Target[] {
  const headers = { 'content-type': 'application/fhir+json' };
  const reads = (ids: string[]): LoadSpec => ({ headers, requests: ids.slice(0, 200).map((id) => ({ method: 'GET', path: `/Patient/${id}` })) });
  const create: LoadSpec = { headers, requests: [{ method: 'POST', path: '/Patient', body: baselinePatientBody('baseline-@SEQ@') }] };
  const target = (name: string, service: BaselineService, spec: LoadSpec): Target => ({ name, group: 'baseline', service, spec, connections: ctx.connections });
  return [
    target('Express 5 fixed Patient', 'express-hello', { headers, requests: [{ method: 'GET', path: '/Patient/fixed' }] }),
    target('node:http + pg read by id', 'pg-read', reads(ctx.pgIds)),
    target('node:http + pg durable insert', 'pg-insert', create),
    target('fhir-router + memory read', 'medplum-router', reads(ctx.medplumIds)),
    target('fhir-router + memory create', 'medplum-router', create),
  ];
}
