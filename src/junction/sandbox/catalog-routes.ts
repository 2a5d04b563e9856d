import type { RequestHandler } from 'express';
import type { SandboxContext, SandboxRoute } from './context';
import { SANDBOX_LAB_TESTS } from './lab-tests';

export function catalogRoutes(ctx: SandboxContext): SandboxRoute[] {
  const listLabTests: RequestHandler = (_req, res) => {
    res.json({ data: SANDBOX_LAB_TESTS, next_cursor: null });
  };

  const listTeamPhysicians: RequestHandler = (req, res) => {
    if (req.params.teamId !== ctx.state.teamId) res.status(404).json({ detail: 'Team not found' });
    else res.json(ctx.state.physicians());
  };

  return [
    { method: 'GET', path: '/v3/lab_test', handlers: [ctx.faults.latency, listLabTests] },
    { method: 'GET', path: '/v2/team/:teamId/physicians', handlers: [ctx.faults.latency, listTeamPhysicians] },
  ];
}
