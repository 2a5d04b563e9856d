import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../store/rows';
import { allOk } from '../problems/outcomes';
import type { FhirResult } from './request';

/**
 * A successful answer sent as JSON text already written, whose resource is made only for whoever
 * asks for it (a batch or transaction entry). A class rather than an object literal with
 * `get resource()`: V8 kept what such a per-object accessor's closure held (here the whole page)
 * alive past the next young-generation collection, which promoted it to the old generation
 * (docs/performance-history.md, "Accessors without closures").
 */
export class LazyResult implements FhirResult {
  readonly outcome = allOk();
  #made: Resource | undefined;

  constructor(
    readonly json: string | undefined,
    private readonly make: () => Resource,
    readonly version?: StoredVersion,
  ) {}

  get resource(): Resource {
    return (this.#made ??= this.make());
  }
}
