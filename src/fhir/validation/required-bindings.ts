import { tryGetDataType, type InternalTypeSchema } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { isObject, issue } from './profile-rules';
import { expandR4ValueSets, r4ValueSet, type ValueSetCodes } from './r4-value-sets';
import { stripVersion } from './terminology';

/*
 * Required bindings of base R4, which medplum's validator does not check: a code outside
 * the value set is an error. https://hl7.org/fhir/R4/terminologies.html#required
 */

type Json = Record<string, unknown>;
const BOUND = ['code', 'Coding', 'CodeableConcept'] as const;
type Bound = (typeof BOUND)[number];

interface Step {
  binding?: { type: Bound; valueSet: string };
  /** A complex type or backbone element, walked with its own plan. */
  children?: Plan;
  /** `contained`, `Bundle.entry.resource`: walked with the plan of its resourceType. */
  resource?: boolean;
}

/** What to look at in a value of one type, by JSON property (`deceasedBoolean`, not `deceased[x]`). */
type Plan = Map<string, Step>;

// Only types medplum knows are kept: a resourceType sent by a client does not grow the map.
const resourcePlans = new Map<string, Plan>();
const typePlans = new Map<InternalTypeSchema, Plan>();
// The `_gender` companion of a primitive holds the id and extensions of an Element.
let primitiveElement: Step | undefined;

/** Plans these resource types and expands the value sets they bind, with one read of the definitions. */
export function planRequiredBindings(types: readonly string[]): void {
  const valueSets = new Set<string>();
  const element = tryGetDataType('Element');
  if (!primitiveElement && element) primitiveElement = { children: planType(element, element, valueSets) };
  for (const type of types.filter((t) => !resourcePlans.has(t))) {
    const schema = tryGetDataType(type);
    if (schema?.kind === 'resource') resourcePlans.set(type, planType(schema, schema, valueSets));
  }
  expandR4ValueSets(valueSets);
}

/** Every code of the resource (contained resources and extension values included) outside a required binding. */
export function checkRequiredBindings(resource: Json): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  visitResource(resource, String(resource.resourceType), issues);
  return issues;
}

function planType(schema: InternalTypeSchema, root: InternalTypeSchema, valueSets: Set<string>): Plan {
  const known = typePlans.get(schema);
  if (known) return known;
  const plan: Plan = new Map();
  typePlans.set(schema, plan);
  for (const [name, element] of Object.entries(schema.elements)) {
    for (const { code } of element.type) {
      const key = name.endsWith('[x]') ? name.slice(0, -3) + code.charAt(0).toUpperCase() + code.slice(1) : name;
      const step: Step = {};
      const valueSet = element.binding?.strength === 'required' ? element.binding.valueSet : undefined;
      if (valueSet && isBound(code)) {
        step.binding = { type: code, valueSet };
        valueSets.add(valueSet);
      }
      const child = code === 'Resource' ? undefined : childSchema(code, root);
      if (code === 'Resource') step.resource = true;
      else if (child) step.children = planType(child, child.kind ? child : root, valueSets);
      if (step.binding || step.resource || step.children) plan.set(key, step);
    }
  }
  return plan;
}

function isBound(code: string): code is Bound {
  return (BOUND as readonly string[]).includes(code);
}

// Backbone elements are looked up in their own type first: loading a profile replaces
// medplum's global entry for an inner type name (`PatientContact`) with the profile's.
function childSchema(code: string, root: InternalTypeSchema): InternalTypeSchema | undefined {
  const schema = root.innerTypes.find((t) => t.name === code) ?? tryGetDataType(code);
  return schema && schema.kind !== 'primitive-type' ? schema : undefined;
}

function visitResource(resource: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (!isObject(resource) || typeof resource.resourceType !== 'string') return;
  if (!resourcePlans.has(resource.resourceType)) planRequiredBindings([resource.resourceType]);
  const plan = resourcePlans.get(resource.resourceType);
  if (plan) visit(resource, plan, path, issues);
}

function visit(value: Json, plan: Plan, path: string, issues: OperationOutcomeIssue[]): void {
  for (const key of Object.keys(value)) {
    const twin = key.startsWith('_');
    const step = twin ? primitiveElement : plan.get(key);
    if (!step) continue;
    const child = value[key];
    const at = `${path}.${twin ? key.slice(1) : key}`;
    if (!Array.isArray(child)) visitItem(step, child, at, issues);
    else for (let i = 0; i < child.length; i++) visitItem(step, child[i], `${at}[${i}]`, issues);
  }
}

function visitItem(step: Step, item: unknown, at: string, issues: OperationOutcomeIssue[]): void {
  const problem = step.binding && checkBinding(step.binding.type, step.binding.valueSet, item);
  if (problem) issues.push(issue(at, problem, 'code-invalid'));
  if (step.resource) visitResource(item, at, issues);
  else if (step.children && isObject(item)) visit(item, step.children, at, issues);
}

// A malformed code is already reported by the base validation.
const CODE = /^[^\s]+( [^\s]+)*$/;

/**
 * The problem with a bound value, if any. Codings are only judged when their system is one
 * of the value set's: a coding of another system may translate a code that is not sent.
 */
function checkBinding(type: Bound, canonical: string, value: unknown): string | undefined {
  const vs = r4ValueSet(canonical);
  if (!vs) return undefined;
  const where = `the value set ${stripVersion(canonical)} (required binding)${expected(vs)}`;
  if (type === 'code') {
    if (typeof value !== 'string' || !CODE.test(value) || vs.codes.has(value)) return undefined;
    return `${JSON.stringify(value)} is not in ${where}`;
  }
  const codings = type === 'Coding' ? [value] : isObject(value) && Array.isArray(value.coding) ? value.coding : [];
  const judged = codings.filter(isObject).filter((c) => typeof c.code === 'string' && typeof c.system === 'string' && vs.systems.has(c.system));
  if (judged.length === 0 || judged.some((c) => vs.keys.has(`${String(c.system)}|${String(c.code)}`))) return undefined;
  return `${judged.map((c) => `${String(c.system)}#${String(c.code)}`).join(', ')} is not in ${where}`;
}

function expected(vs: ValueSetCodes): string {
  return vs.codes.size <= 12 ? `; expected one of ${[...vs.codes].join(', ')}` : '';
}
