import { randomUUID } from 'node:crypto';
import type { JunctionPhysician } from '../gateway';
import type { SandboxOrder } from './orders';
import { SEED_PHYSICIANS } from './physicians';

/** `ClientFacingUser`. */
export interface SandboxUser {
  user_id: string;
  team_id: string;
  client_user_id: string;
  created_on: string;
  connected_sources: never[];
  fallback_time_zone: null;
}

/** Everything the sandbox knows, in memory, for one team. Tests read it directly or over `/_sandbox`. */
export class SandboxState {
  private readonly usersById = new Map<string, SandboxUser>();
  private readonly userIdsByClientUserId = new Map<string, string>();
  private readonly ordersById = new Map<string, SandboxOrder>();
  private readonly physiciansByNpi = new Map<string, JunctionPhysician>();
  private readonly requestsByRoute = new Map<string, number>();
  private lastEventId = 0;

  constructor(readonly teamId: string) {
    for (const physician of SEED_PHYSICIANS) this.addPhysician(physician);
  }

  createUser(clientUserId: string): SandboxUser {
    const user: SandboxUser = {
      user_id: randomUUID(),
      team_id: this.teamId,
      client_user_id: clientUserId,
      created_on: new Date().toISOString(),
      connected_sources: [],
      fallback_time_zone: null,
    };
    this.usersById.set(user.user_id, user);
    this.userIdsByClientUserId.set(clientUserId, user.user_id);
    return user;
  }

  user(userId: string): SandboxUser | undefined {
    return this.usersById.get(userId);
  }

  userByClientUserId(clientUserId: string): SandboxUser | undefined {
    const userId = this.userIdsByClientUserId.get(clientUserId);
    return userId === undefined ? undefined : this.usersById.get(userId);
  }

  addOrder(order: SandboxOrder): void {
    this.ordersById.set(order.id, order);
  }

  order(orderId: string): SandboxOrder | undefined {
    return this.ordersById.get(orderId);
  }

  orders(): SandboxOrder[] {
    return [...this.ordersById.values()];
  }

  addPhysician(physician: JunctionPhysician): void {
    this.physiciansByNpi.set(physician.npi, { first_name: physician.first_name, last_name: physician.last_name, npi: physician.npi });
  }

  physicians(): JunctionPhysician[] {
    return [...this.physiciansByNpi.values()];
  }

  /** Event ids are integers, increasing across all orders, as Junction's are. */
  nextEventId(): number {
    this.lastEventId += 1;
    return this.lastEventId;
  }

  countRequest(route: string): void {
    this.requestsByRoute.set(route, (this.requestsByRoute.get(route) ?? 0) + 1);
  }

  /** Requests received per route template, e.g. `{"POST /v3/order": 3}`, faulted ones included. */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.requestsByRoute);
  }
}
