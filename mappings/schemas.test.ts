import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const dir = join(__dirname, 'schemas');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('there is a schema for every documented request and response', () => {
  expect(files.sort()).toEqual([
    'clinician-profiles.error.json',
    'clinician-profiles.list.json',
    'clinician-profiles.profile.json',
    'clinician-profiles.query.json',
    'clinician-profiles.single.json',
    'lab-orders.201.json',
    'lab-orders.400.json',
    'lab-orders.409.json',
    'lab-orders.502.json',
    'lab-orders.request.json',
    'patients.201.json',
    'patients.400.json',
    'patients.409.json',
    'patients.500.json',
    'patients.request.json',
    'physicians.201.json',
    'physicians.400.json',
    'physicians.409.json',
    'physicians.502.json',
    'physicians.request.json',
    'practitioner-roles.201.json',
    'practitioner-roles.error.json',
    'practitioner-roles.request.json',
  ]);
});

// Union types (`["string", "null"]`) are copied from the seeds, so Ajv needs allowUnionTypes.
test.each(files)('%s is draft-07 and compiles in Ajv strict mode', (file) => {
  const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  const ajv = addFormats(new Ajv({ strict: true, allowUnionTypes: true }));
  expect(() => ajv.compile(schema)).not.toThrow();
});

test.each(files.filter((f) => f.endsWith('.request.json') || f.endsWith('.query.json')))('%s rejects fields it does not define', (file) => {
  const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  expect(schema.additionalProperties).toBe(false);
});
