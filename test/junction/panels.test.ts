import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadJunctionPanels } from '../../src/junction/panels';
import { SANDBOX_LAB_TEST_IDS } from '../../src/junction/sandbox/lab-tests';
import { tempDir } from '../helpers/temp-dirs';

const fileWith = (content: string) => {
  const file = join(tempDir('panels-'), 'junction-panels.json');
  writeFileSync(file, content);
  return file;
};

test('the repository panel map sends each of our three panels to the sandbox lab test', () => {
  const panels = loadJunctionPanels(undefined, ['hashimotos', 'pcos', 'fertility']);
  expect(Object.fromEntries(panels)).toEqual(SANDBOX_LAB_TEST_IDS);
});

test('a panel map that is not an object of UUIDs is refused at load', () => {
  expect(() => loadJunctionPanels(fileWith('[]'))).toThrow(/expected a JSON object/);
  expect(() => loadJunctionPanels(fileWith('{"pcos": "not-a-uuid"}'))).toThrow(/lab test id of "pcos" is not a UUID/);
  expect(() => loadJunctionPanels(fileWith('{"PCOS panel": "7a2c4d3f-9b5e-4f60-8c8b-2d3e4f5a6b72"}'))).toThrow(/is not a panel code/);
  expect(() => loadJunctionPanels(fileWith('{'))).toThrow(/cannot read the Junction panel map/);
});

test('a required panel missing from the map is refused at load', () => {
  const file = fileWith('{"pcos": "7a2c4d3f-9b5e-4f60-8c8b-2d3e4f5a6b72"}');
  expect(() => loadJunctionPanels(file, ['pcos', 'fertility'])).toThrow(/no Junction lab test for fertility/);
});
