import path from 'node:path';
import { writtenPatient } from './fixtures';
import type { LoadSpec } from './load/spec';
import type { Target } from './target';

export type BaselineService = 'express-hello' | 'pg-read' | 'pg-insert' | 'medplum-router' | 'server-without-door' | 'server-with-goal-door';

/** The baseline processes: each a small server under bench/baselines/, run with tsx, with settings of its own. */
export const BASELINE_SERVICES: Record<BaselineService, { file: string; env?: Record<string, string> }> = {
  'express-hello': { file: 'express-hello.ts' },
  'pg-read': { file: 'pg-read.ts' },
  'pg-insert': { file: 'pg-insert.ts' },
  'medplum-router': { file: 'medplum-router.ts' },
  'server-without-door': { file: 'server-without-door.ts' },
  // The rate limit raised as the server's is, so that it counts but never refuses.
  'server-with-goal-door': { file: 'server-without-door.ts', env: { WITH_GOAL_DOOR: '1', RATE_LIMIT_POINTS: '1000000000' } },
};

export const baselineEntry = (service: BaselineService): string => path.join(__dirname, 'baselines', BASELINE_SERVICES[service].file);

export interface BaselineContext {
  /** Rows in the baseline table. */
  pgIds: string[];
  /** Patients created in the in-memory repository before measuring. */
  medplumIds: string[];
  connections: number;
}

export const baselinePatientBody = (mrn: string): string => JSON.stringify(writtenPatient(mrn, 7));

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
