import { isValidNpi, US_STATE_CODES } from '../../../mappings/physicians';
import { isRecord } from '../json';

/** One entry of a FastAPI 422 `detail` list, as Junction answers. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export interface OrderValidationContext {
  userExists(userId: string): boolean;
  labTestExists(labTestId: string): boolean;
}

// https://docs.junction.com/lab/workflow/order-requirements
const NAME = /^([a-zA-Z0-9]{1})([a-zA-Z0-9-.,']*(\s[a-zA-Z0-9-.,']+)*[a-zA-Z0-9-.,']?)$/;
const ZIP = /^\d{5}(-\d{4})?$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[\d\s().-]{10,20}$/;
const GENDERS = ['female', 'male', 'other', 'unknown'];
const COLLECTION_METHODS = ['testkit', 'walk_in_test', 'at_home_phlebotomy', 'on_site_collection'];
const STATES = new Set(US_STATE_CODES);

type Path = (string | number)[];
type Body = Record<string, unknown>;

interface StringRule {
  optional?: boolean;
  pattern?: RegExp;
  oneOf?: readonly string[];
  maxLength?: number;
  check?: (value: string) => string | undefined;
}

/** Collects issues in Junction's shape while walking the body. */
class Issues {
  readonly list: ValidationIssue[] = [];

  add(path: Path, msg: string, type = 'value_error'): void {
    this.list.push({ loc: ['body', ...path], msg, type });
  }

  object(parent: Body, path: Path): Body | undefined {
    const value = parent[String(path.at(-1))];
    if (isRecord(value)) return value;
    if (value === undefined) this.add(path, 'Field required', 'missing');
    else this.add(path, 'Input should be a valid dictionary', 'dict_type');
    return undefined;
  }

  string(parent: Body, path: Path, rule: StringRule = {}): string | undefined {
    const value = parent[String(path.at(-1))];
    if (value === undefined || value === null) {
      if (!rule.optional) this.add(path, 'Field required', 'missing');
      return undefined;
    }
    const problem = stringProblem(value, rule);
    if (problem === undefined) return value as string;
    this.add(path, problem.msg, problem.type);
    return undefined;
  }
}

function stringProblem(value: unknown, rule: StringRule): { msg: string; type: string } | undefined {
  if (typeof value !== 'string' || (!rule.optional && value === '')) return { msg: 'Input should be a non-empty string', type: 'string_type' };
  if (rule.pattern && !rule.pattern.test(value)) return { msg: `String should match pattern '${rule.pattern.source}'`, type: 'string_pattern_mismatch' };
  if (rule.oneOf && !rule.oneOf.includes(value)) return { msg: `Input should be ${rule.oneOf.map((v) => `'${v}'`).join(', ')}`, type: 'enum' };
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    return { msg: `String should have at most ${rule.maxLength} characters`, type: 'string_too_long' };
  }
  const message = rule.check?.(value);
  return message === undefined ? undefined : { msg: message, type: 'value_error' };
}

/** `POST /v2/user` (`UserCreateBody`). */
export function validateUserRequest(body: unknown): ValidationIssue[] {
  const issues = new Issues();
  if (!isRecord(body)) issues.add([], 'Input should be a valid dictionary', 'dict_type');
  else issues.string(body, ['client_user_id']);
  return issues.list;
}

/** `POST /v3/order` (`CreateOrderRequestCompatible`), for the fields the sandbox supports. */
export function validateOrderRequest(body: unknown, context: OrderValidationContext): ValidationIssue[] {
  const issues = new Issues();
  if (!isRecord(body)) {
    issues.add([], 'Input should be a valid dictionary', 'dict_type');
    return issues.list;
  }
  issues.string(body, ['user_id'], { check: (id) => (context.userExists(id) ? undefined : 'User not found') });
  const orderSet = issues.object(body, ['order_set']);
  if (orderSet) checkLabTests(issues, orderSet, context);
  issues.string(body, ['collection_method'], { optional: true, oneOf: COLLECTION_METHODS });
  issues.string(body, ['passthrough'], { optional: true });
  const patient = issues.object(body, ['patient_details']);
  if (patient) checkPatient(issues, patient);
  const address = issues.object(body, ['patient_address']);
  if (address) checkAddress(issues, address);
  if (body.physician !== undefined && body.physician !== null) {
    const physician = issues.object(body, ['physician']);
    if (physician) checkPhysician(issues, physician);
  }
  return issues.list;
}

function checkLabTests(issues: Issues, orderSet: Body, context: OrderValidationContext): void {
  const ids = orderSet.lab_test_ids;
  const path = ['order_set', 'lab_test_ids'];
  if (!Array.isArray(ids) || ids.length === 0) return issues.add(path, 'List should have at least 1 item', 'too_short');
  ids.forEach((id: unknown, i) => {
    if (typeof id !== 'string' || !context.labTestExists(id)) issues.add([...path, i], 'Lab test not found');
  });
}

function checkPatient(issues: Issues, patient: Body): void {
  const at = (field: string) => ['patient_details', field];
  issues.string(patient, at('first_name'), { pattern: NAME });
  issues.string(patient, at('last_name'), { pattern: NAME });
  issues.string(patient, at('dob'), { check: checkBirthDate });
  issues.string(patient, at('gender'), { oneOf: GENDERS });
  issues.string(patient, at('phone_number'), { pattern: PHONE });
  issues.string(patient, at('email'), { pattern: EMAIL });
}

function checkAddress(issues: Issues, address: Body): void {
  const at = (field: string) => ['patient_address', field];
  issues.string(address, at('receiver_name'), { optional: true });
  issues.string(address, at('first_line'));
  issues.string(address, at('second_line'), { optional: true });
  issues.string(address, at('city'));
  issues.string(address, at('state'), { check: (state) => (STATES.has(state) ? undefined : 'Value error, not a US state code') });
  issues.string(address, at('zip'), { pattern: ZIP });
  issues.string(address, at('country'));
  issues.string(address, at('phone_number'), { optional: true, pattern: PHONE });
  issues.string(address, at('access_notes'), { optional: true, maxLength: 1000 });
}

function checkPhysician(issues: Issues, physician: Body): void {
  const at = (field: string) => ['physician', field];
  issues.string(physician, at('first_name'), { pattern: NAME });
  issues.string(physician, at('last_name'), { pattern: NAME });
  issues.string(physician, at('npi'), { check: (npi) => (isValidNpi(npi) ? undefined : 'Value error, invalid NPI') });
  const states = physician.licensed_states;
  if (!Array.isArray(states)) return issues.add(at('licensed_states'), 'Input should be a valid list', 'list_type');
  states.forEach((state: unknown, i) => {
    if (typeof state !== 'string' || !STATES.has(state)) issues.add([...at('licensed_states'), i], 'Value error, not a US state code');
  });
}

function checkBirthDate(dob: string): string | undefined {
  const date = new Date(`${dob}T00:00:00Z`);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(dob) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(dob);
  if (!valid) return 'Input should be a valid date in the format YYYY-MM-DD';
  return date.getTime() > Date.now() ? 'Value error, date of birth is in the future' : undefined;
}
