import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRecord } from './json';
import { isUuid } from '../uuid-text';

/** Our panel code (the `lab-panel` CodeSystem) → the Junction lab test id ordered for it. */
export type JunctionPanels = ReadonlyMap<string, string>;

/** Relative to the working directory, like the rest of the start-up configuration. */
export const DEFAULT_PANELS_PATH = 'junction-panels.json';

const PANEL_CODE = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Reads and checks the panel map at start-up: a JSON object of panel code → lab test UUID.
 * `required` names the panels that must be mapped (the codes we accept on orders).
 */
export function loadJunctionPanels(path: string = DEFAULT_PANELS_PATH, required: readonly string[] = []): JunctionPanels {
  const file = resolve(path);
  const parsed = parseFile(file);
  if (!isRecord(parsed)) throw new Error(`${file}: expected a JSON object of panel code → Junction lab test id`);
  const panels = new Map<string, string>();
  for (const [code, labTestId] of Object.entries(parsed)) {
    if (!PANEL_CODE.test(code)) throw new Error(`${file}: "${code}" is not a panel code (lowercase letters, digits, - and _)`);
    if (typeof labTestId !== 'string' || !isUuid(labTestId)) throw new Error(`${file}: the lab test id of "${code}" is not a UUID`);
    panels.set(code, labTestId);
  }
  const missing = required.filter((code) => !panels.has(code));
  if (missing.length > 0) throw new Error(`${file}: no Junction lab test for ${missing.join(', ')}`);
  return panels;
}

function parseFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new Error(`${file}: cannot read the Junction panel map (${(err as Error).message})`);
  }
}
