import type { Indexer } from '../../store/index-rows';
import { extractIndexRows } from './extract';
import { UNIQUE_KEY_MESSAGES, uniqueKeysOf } from './unique-keys';

/** Search index rows from the SearchParameters' FHIRPath, business keys from the /v1 uniqueness rules. */
export const fhirIndexer: Indexer = {
  entriesOf: (resource) => ({ rows: extractIndexRows(resource), keys: uniqueKeysOf(resource) }),
  keyMessage: (kind) => UNIQUE_KEY_MESSAGES[kind] ?? 'duplicate resource',
};
