import { LRUCache, type Constraint, type InternalSchemaElement, type TypedValue } from '@medplum/core';
import { evalFhirPathTyped, fhirTypeToJsType, isPrimitiveType, toTypedValue, tryGetDataType, validationRegexes } from '../medplum-core';

/*
 * medplum's validator crawls every element a type defines, present or not, and resolves each
 * `[x]` element by trying the name of every type it allows (~50 for an extension's value): most
 * of a create's validation time. This walk visits only the members a resource has, against
 * tables made once per type, and checks what medplum checks of them: known names, arrays where
 * the element repeats, cardinality, JSON types and formats of primitives, required elements and
 * the invariants (evaluated by medplum's FHIRPath, as medplum does). It only ever answers "valid"
 * when it is sure: anything it does not check itself (a primitive's `_` twin, a contained
 * resource, an empty or null value, a fixed value, pattern or slicing, two types of one choice,
 * a failed check) answers "not proven", and the caller runs medplum's validator, whose issues
 * are then the ones reported. So a valid resource skips the crawl and an invalid one is
 * described exactly as before.
 */

/** How one JSON member of a type is checked: its element and the concrete type of its values. */
interface Member {
  element: InternalSchemaElement;
  type: string;
  /** The invariants (severity error) each of its values must meet. */
  constraints: Constraint[];
  /** The `[x]` element it is one type of, when it is. */
  choice?: string;
}

interface TypePlan {
  members: Map<string, Member>;
  /** Elements with min > 0, by the JSON names that would satisfy them. */
  required: string[][];
  /** The type's own invariants: checked on a resource, as medplum checks them only at the root. */
  constraints: Constraint[];
}

/** Invariants medplum does not evaluate either. */
const SKIPPED_CONSTRAINTS = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);

const MAX_STRING_LENGTH = 1024 * 1024;

const plans = new Map<string, TypePlan | undefined>();

const UCUM = toTypedValue('http://unitsofmeasure.org');
const parsedExpressions = new LRUCache<never>(1_000);

/** True only when medplum's `validateResource` would find no error in this resource. */
export function isProvenValidBase(resource: Record<string, unknown>): boolean {
  const type = resource.resourceType;
  if (typeof type !== 'string') return false;
  const plan = planOf(type);
  if (!plan) return false;
  const root: TypedValue = { type, value: resource };
  const variables = { '%resource': root, '%rootResource': root, '%ucum': UCUM };
  return walk(resource, plan, variables, true) && meetsAll(plan.constraints, root, variables);
}

type Variables = Record<string, TypedValue>;

function walk(object: Record<string, unknown>, plan: TypePlan, variables: Variables, isRoot: boolean): boolean {
  let choicesSeen: Set<string> | undefined;
  for (const key in object) {
    if (isRoot && key === 'resourceType') continue;
    const member = plan.members.get(key);
    if (!member) return false;
    if (member.choice) {
      choicesSeen ??= new Set();
      if (choicesSeen.has(member.choice)) return false;
      choicesSeen.add(member.choice);
    }
    if (!valuesValid(object[key], member, variables)) return false;
  }
  return plan.required.every((names) => names.some((name) => object[name] !== undefined));
}

function valuesValid(value: unknown, member: Member, variables: Variables): boolean {
  const { element } = member;
  if (element.isArray) {
    if (!Array.isArray(value) || value.length === 0 || value.length < element.min || value.length > element.max) return false;
    for (const item of value) if (!valueValid(item, member, variables)) return false;
    return true;
  }
  return !Array.isArray(value) && valueValid(value, member, variables);
}

function valueValid(value: unknown, member: Member, variables: Variables): boolean {
  if (value === null || value === undefined) return false;
  if (isPrimitiveType(member.type)) {
    if (!primitiveValid(value, member.type)) return false;
  } else {
    if (typeof value !== 'object' || Array.isArray(value)) return false;
    const plan = planOf(member.type);
    if (!plan || Object.keys(value).length === 0 || !walk(value as Record<string, unknown>, plan, variables, false)) return false;
  }
  return member.constraints.length === 0 || meetsAll(member.constraints, { type: member.type, value }, variables);
}

function primitiveValid(value: unknown, type: string): boolean {
  const jsType = (fhirTypeToJsType as Record<string, string>)[type];
  if (jsType === undefined || typeof value !== jsType) return false;
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH || value.trim() === '') return false;
    const pattern = validationRegexes[type];
    return !pattern || pattern.test(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return false;
    if (type === 'integer' || type === 'positiveInt' || type === 'unsignedInt') {
      if (!Number.isInteger(value)) return false;
      if (type === 'positiveInt' && value <= 0) return false;
      if (type === 'unsignedInt' && value < 0) return false;
    }
  }
  return true;
}

function meetsAll(constraints: Constraint[], context: TypedValue, variables: Variables): boolean {
  for (const constraint of constraints) {
    const known = NATIVE_INVARIANTS.get(constraint.expression)?.(context.value as Record<string, unknown>);
    if (known === true) continue;
    if (known === false) return false;
    try {
      const result = evalFhirPathTyped(constraint.expression, [context], { ...variables, '%context': context }, parsedExpressions);
      if (result.length !== 1 || result[0]?.value !== true) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * The invariants met on nearly every write, as plain code: medplum's FHIRPath resolves `value`
 * by trying each of ~50 type names, ~10 µs an extension. Keyed by expression, so a definition
 * that words one differently is evaluated as FHIRPath. Each sees a value the walk already
 * found valid (no empty member, no `_` twin); undefined leaves the answer to FHIRPath.
 */
const NATIVE_INVARIANTS = new Map<string, (value: Record<string, unknown>) => boolean | undefined>([
  // ext-1
  [
    'extension.exists() != value.exists()',
    (extension) => (extension.extension !== undefined) !== Object.keys(extension).some((key) => key.startsWith('value')),
  ],
  // dom-2, dom-4, dom-5: about contained resources, which a proven resource does not have.
  ['contained.contained.empty()', (resource) => (resource.contained === undefined ? true : undefined)],
  ['contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()', (resource) => (resource.contained === undefined ? true : undefined)],
  ['contained.meta.security.empty()', (resource) => (resource.contained === undefined ? true : undefined)],
]);

function planOf(type: string): TypePlan | undefined {
  if (!plans.has(type)) plans.set(type, makePlan(type));
  return plans.get(type);
}

/**
 * Undefined for a type medplum does not know. An element the walk leaves to medplum (a nested
 * resource, a fixed value, a pattern or slices) has no member: a resource that has it is not
 * proven valid; a type that requires it has no plan.
 */
function makePlan(type: string): TypePlan | undefined {
  const schema = tryGetDataType(type);
  if (!schema) return undefined;
  const members = new Map<string, Member>();
  const required: string[][] = [];
  for (const [key, element] of Object.entries(schema.elements)) {
    const names = element.fixed || element.pattern || element.slicing ? undefined : jsonMembers(key, element);
    if (!names) {
      if (element.min > 0) return undefined;
      continue;
    }
    const constraints = errorConstraints(element.constraints);
    for (const [name, memberType, choice] of names) members.set(name, { element, type: memberType, constraints, choice });
    if (element.min > 0) required.push(names.map(([name]) => name));
  }
  return { members, required, constraints: errorConstraints(schema.constraints) };
}

/** The JSON names of an element with the type of each; undefined where the walk cannot type them (a nested resource). */
function jsonMembers(key: string, element: InternalSchemaElement): [string, string, string | undefined][] | undefined {
  const codes = element.type.map((t) => t.code);
  if (codes.length === 0 || codes.some((code) => code === 'Resource' || tryGetDataType(code)?.kind === 'resource')) return undefined;
  if (key.endsWith('[x]')) {
    const stem = key.slice(0, -3);
    return codes.map((code) => [`${stem}${code.charAt(0).toUpperCase()}${code.slice(1)}`, code, key]);
  }
  return codes.length === 1 ? [[key, codes[0]!, undefined]] : undefined;
}

const errorConstraints = (constraints: Constraint[] | undefined): Constraint[] =>
  (constraints ?? []).filter((c) => c.severity === 'error' && !SKIPPED_CONSTRAINTS.has(c.key));
