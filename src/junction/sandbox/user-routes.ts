import type { RequestHandler } from 'express';
import { pathParam, type SandboxContext, type SandboxRoute } from './context';
import { validateUserRequest } from './validation';

export function userRoutes(ctx: SandboxContext): SandboxRoute[] {
  const createUser: RequestHandler = (req, res) => {
    const issues = validateUserRequest(req.body);
    if (issues.length > 0) {
      res.status(422).json({ detail: issues });
      return;
    }
    const clientUserId = (req.body as { client_user_id: string }).client_user_id;
    const existing = ctx.state.userByClientUserId(clientUserId);
    if (existing) {
      // ClientUserIDConflictResponse; Junction does not document its error_type values.
      res.status(400).json({
        detail: {
          error_type: 'client_user_id_already_exists',
          error_message: 'A user with this client_user_id already exists',
          user_id: existing.user_id,
          created_on: existing.created_on,
        },
      });
      return;
    }
    res.json(ctx.state.createUser(clientUserId));
  };

  const resolveUser: RequestHandler = (req, res) => {
    const user = ctx.state.userByClientUserId(pathParam(req, 'clientUserId'));
    if (user) res.json(user);
    else res.status(404).json({ detail: 'User not found' });
  };

  return [
    { method: 'POST', path: '/v2/user', handlers: [ctx.faults.latency, createUser] },
    { method: 'GET', path: '/v2/user/resolve/:clientUserId', handlers: [ctx.faults.latency, resolveUser] },
  ];
}
