import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { SUPPORTED_TYPES } from '../../src/fhir/validation/definitions';

const EXAMPLES_DIR = join(__dirname, '../../node_modules/hl7.fhir.r4.examples');
const GAPS_DOC = join(__dirname, '../../docs/r4-examples.md');

export interface Example {
  file: string;
  resource: Resource & { id: string };
}

/** The official R4 examples (`{Type}-{id}.json`) of every type this server stores. */
export function r4Examples(): Example[] {
  const pattern = new RegExp(`^(${SUPPORTED_TYPES.join('|')})-.+\\.json$`);
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => pattern.test(file))
    .sort()
    .map((file) => ({ file, resource: JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as Example['resource'] }));
}

export interface KnownGap {
  file: string;
  status: number;
  reason: string;
}

/**
 * The known-gaps table of docs/r4-examples.md (`| file | status | reason |`), read by the
 * test so that the document and the server's behaviour cannot drift apart.
 */
export function knownGaps(): KnownGap[] {
  const lines = readFileSync(GAPS_DOC, 'utf8').split('\n');
  const header = lines.findIndex((l) => /^\|\s*file\s*\|\s*status\s*\|\s*reason\s*\|/.test(l));
  if (header < 0) throw new Error(`${GAPS_DOC}: no "| file | status | reason |" table`);
  const rows: KnownGap[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim().replace(/^`|`$/g, ''));
    const [file, status, reason] = cells;
    if (!file || !status || !reason || cells.length !== 3) throw new Error(`${GAPS_DOC}: malformed row ${line}`);
    rows.push({ file, status: Number(status), reason });
  }
  return rows;
}

/** The resource without what the server owns (`meta.versionId`, `meta.lastUpdated`); an emptied `meta` goes too. */
export function withoutServerMeta(resource: Resource): Resource {
  const { meta, ...rest } = resource;
  if (!meta) return rest as Resource;
  const { versionId: _v, lastUpdated: _l, ...kept } = meta;
  return (Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest) as Resource;
}
