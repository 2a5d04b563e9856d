import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const SCHEMA_DIR = path.join(__dirname, '../../mappings/schemas');
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** The documented schema `mappings/schemas/<name>.json`, e.g. `patients.201`; undefined when there is none. */
function validatorFor(name: string): ValidateFunction | undefined {
  const file = path.join(SCHEMA_DIR, `${name}.json`);
  if (!compiled.has(name) && fs.existsSync(file)) compiled.set(name, ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8'))));
  return compiled.get(name);
}

/** Fails the test with ajv's errors unless `body` matches the documented schema `name`. */
export function expectSchema(body: unknown, name: string): void {
  const validate = validatorFor(name);
  if (!validate) throw new Error(`no documented schema mappings/schemas/${name}.json`);
  if (!validate(body)) throw new Error(`body does not match ${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
}

/** The documented property names of schema `name`: the exact key set of a response body. */
export function documentedKeys(name: string): string[] {
  validatorFor(name);
  const schema = compiled.get(name)?.schema as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.properties ?? {}).sort();
}

/**
 * A response of an `{error, message}` family (`family` = `patients` | `physicians` | …): the body must match the
 * schema documented for this status, or — for statuses the page leaves out (404, 413, 415) —
 * the family's 400 error shape, which every such error shares.
 */
export function expectDocumented(res: { status: number; body: unknown }, family: string): void {
  const name = res.status < 300 ? `${family}.201` : validatorFor(`${family}.${res.status}`) ? `${family}.${res.status}` : `${family}.400`;
  expectSchema(res.body, name);
  // The schemas allow extra properties; the contract is exactly the documented ones.
  expect(Object.keys(res.body as object).sort()).toEqual(documentedKeys(name));
}
