import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../store/db';
import type { StoredVersion } from '../store/rows';

/** What a caller does through FhirService, named like SMART's scope letters read them. */
export type AccessKind = 'create' | 'read' | 'vread' | 'update' | 'patch' | 'delete' | 'history' | 'search' | 'validate' | 'export';

/** One access to stored resources, whatever door it came through (REST, a bundle entry, /v1). */
export interface Access {
  kind: AccessKind;
  resourceType: string;
  /** The instance, when the access names one. */
  id?: string;
  /** A search's parameter names (never their values). */
  parameters?: string[];
}

/**
 * The points where policy (scopes), records (audit) and side effects (lab orders) attach to
 * every access. A hook that throws in `before` refuses the access before any database work
 * (`before` may also be asked ahead of time, so it must have no side effects);
 * `onStored` runs inside the write's transaction, so what it writes commits or rolls back
 * with the resource; `afterCommit` runs once the outermost transaction has committed (at once
 * for reads outside a transaction) and must not throw.
 */
export interface ServiceHooks {
  before?(access: Access): void | Promise<void>;
  onStored?(access: Access, version: StoredVersion, tx: StoredWriteContext): Promise<void>;
  /**
   * Whether `onStored` would write for this access to this resource, which then needs a
   * transaction to commit with; a hook with `onStored` and without this is taken to write for
   * every one. A create, update or delete no hook writes for is stored by one statement, atomic
   * on its own.
   */
  writesFor?(access: Access, resource: Resource): boolean;
  afterCommit?(access: Access, versions: readonly StoredVersion[]): void;
  /** The access failed (refused, not found, invalid, rolled back); must not throw. */
  failed?(access: Access, error: unknown): void;
  /** Whether resources of this type may be returned beside a search's matches (`_include`). */
  mayInclude?(resourceType: string): boolean;
}

/** What an `onStored` hook may do inside the write's transaction. */
export interface StoredWriteContext {
  readonly tenantId: string;
  /** The transaction, for store functions whose rows must commit with the resource. */
  readonly db: Db;
  /** Serialises work on one key until the transaction ends. */
  lock(key: string): Promise<void>;
  /** Current resources of one type (a read access of its own, hooks included). */
  readMany(resourceType: string, ids: string[]): Promise<StoredVersion[]>;
}
