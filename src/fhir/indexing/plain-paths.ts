import type { TypedValue } from '@medplum/core';
import { isEmpty, tryGetDataType } from '../medplum-core';

/*
 * Most search parameters are plain paths (`Patient.name.family`, `ServiceRequest.subject`, or a
 * union of such paths over several types), some with a filter on a code (`Patient.telecom.where(
 * system='email')`). FHIRPath evaluates each step by looking the element up and trying the JSON
 * name of each of its types; followed here over the JSON with the same rules, a path costs a
 * property read per step. Anything this does not follow the way medplum's FHIRPath would (a
 * primitive's `_` twin, an element the type does not define, a nested resource) answers
 * undefined, and the caller evaluates the expression as FHIRPath.
 */

/** Keeps the values whose element `element` is the text `equals`: FHIRPath's `where(element = 'equals')`. */
export interface WhereStep {
  element: string;
  /** The element's `_` twin, where a primitive's extensions are. */
  twin: string;
  equals: string;
}

/** A path after its leading type name: `Patient.name.family` → ['name', 'family']. */
export type PlainPath = readonly string[];

/** A plain path whose steps may also be `where` filters. */
export type WalkPath = readonly (string | WhereStep)[];

const TYPE_NAME = /^\(?([A-Z][A-Za-z]*)\./;
const ELEMENT_STEP = /\.([a-z][A-Za-z]*)/y;
const WHERE_STEP = /\.where\(([a-z][A-Za-z]*) ?= ?'([^'\\]*)'\)/y;
/** Types every resource is: a branch on one of these applies to the resource whatever its type. */
const ABSTRACT_TYPES = new Set(['Resource', 'DomainResource']);

/** A branch's leading type and its steps; the steps undefined when it is not a path of elements and filters. */
function parseBranch(branch: string): { type: string | undefined; steps: WalkPath | undefined } {
  const type = TYPE_NAME.exec(branch)?.[1];
  if (type === undefined || branch.startsWith('(')) return { type, steps: undefined };
  const steps: (string | WhereStep)[] = [];
  let at = type.length;
  while (at < branch.length) {
    ELEMENT_STEP.lastIndex = WHERE_STEP.lastIndex = at;
    const where = WHERE_STEP.exec(branch);
    const element = where ? null : ELEMENT_STEP.exec(branch);
    if (where) steps.push({ element: where[1]!, twin: `_${where[1]!}`, equals: where[2]! });
    else if (element) steps.push(element[1]!);
    else return { type, steps: undefined };
    at = where ? WHERE_STEP.lastIndex : ELEMENT_STEP.lastIndex;
  }
  return { type, steps };
}

const branchesOf = (expression: string) => expression.split('|').map((branch) => parseBranch(branch.trim()));

/**
 * The branches of `expression` that apply to `resourceType`, when every branch of it is a plain
 * path of elements; undefined when any is not (a function, a cast, a filter). Which parameters
 * share index rows is decided on these (index-codes.ts), and must not move once rows are written.
 */
export function plainPathsOf(expression: string, resourceType: string): PlainPath[] | undefined {
  const branches = branchesOf(expression);
  if (branches.some(({ steps }) => steps === undefined || steps.some((step) => typeof step !== 'string'))) return undefined;
  return branches.filter(({ type }) => type === resourceType).map(({ steps }) => steps as PlainPath);
}

/**
 * The branches of `expression` that apply to `resourceType`, when each of them is a path of
 * elements and `where` filters; a branch on another resource type may be anything, as it
 * selects nothing here. Undefined when only FHIRPath can say.
 */
export function walkPathsOf(expression: string, resourceType: string): WalkPath[] | undefined {
  const paths: WalkPath[] = [];
  for (const { type, steps } of branchesOf(expression)) {
    if (type === undefined || ABSTRACT_TYPES.has(type)) return undefined;
    if (type !== resourceType) continue;
    if (steps === undefined) return undefined;
    paths.push(steps);
  }
  return paths;
}

/** The values at the end of the paths, as FHIRPath would give them; undefined where only FHIRPath can say. */
export function followPlainPaths(resource: TypedValue, paths: readonly WalkPath[]): TypedValue[] | undefined {
  const found: TypedValue[] = [];
  for (const path of paths) {
    let current: TypedValue[] = [resource];
    for (const step of path) {
      const next: TypedValue[] = [];
      for (const value of current) if (!(typeof step === 'string' ? stepInto(value, step, next) : keepIf(value, step, next))) return undefined;
      current = next;
    }
    found.push(...current);
  }
  return found;
}

/** One JSON name an element may have, and the type of its values. */
interface Member {
  name: string;
  twin: string;
  type: string;
}

/** How a step reads an element of a type: its JSON names, in the order FHIRPath tries them; null where the type has no such element. */
type StepPlan = readonly Member[] | null;

/** Step plans by the type's element table (a package loaded later brings new tables) and step. */
const plans = new WeakMap<object, Map<string, StepPlan>>();

function planOf(elements: NonNullable<ReturnType<typeof tryGetDataType>>['elements'], step: string): StepPlan {
  let byStep = plans.get(elements);
  if (!byStep) plans.set(elements, (byStep = new Map()));
  let plan = byStep.get(step);
  if (plan === undefined) byStep.set(step, (plan = planStep(elements, step)));
  return plan;
}

function planStep(elements: NonNullable<ReturnType<typeof tryGetDataType>>['elements'], step: string): StepPlan {
  const element = elements[step] ?? elements[`${step}[x]`];
  if (!element) return null;
  const name = element.path.slice(element.path.lastIndexOf('.') + 1);
  return element.type.map(({ code }) => {
    const member = name.replace('[x]', code.charAt(0).toUpperCase() + code.slice(1));
    return { name: member, twin: `_${member}`, type: code === 'Element' || code === 'BackboneElement' ? element.type[0]!.code : code };
  });
}

/** Adds the values of `step` in `from` to `into`; false where FHIRPath must be asked. */
function stepInto(from: TypedValue, step: string, into: TypedValue[]): boolean {
  const object = from.value as Record<string, unknown> | undefined;
  if (!object || typeof object !== 'object') return true;
  if (object.resourceType !== undefined && from.type !== object.resourceType) return false;
  const elements = tryGetDataType(from.type)?.elements;
  const plan = elements ? planOf(elements, step) : null;
  if (!plan) return false;
  for (const { name, twin, type } of plan) {
    if (object[twin] !== undefined) return false;
    const value = object[name];
    if (value === undefined) continue;
    if (isEmpty(value)) return true;
    if (type === 'Resource') return false;
    if (!Array.isArray(value)) into.push({ type, value });
    else for (const item of value) if (item !== undefined) into.push({ type, value: item });
    return true;
  }
  return true;
}

/** Adds `from` to `into` when its element `where.element` is `where.equals`; false where FHIRPath must be asked. */
function keepIf(from: TypedValue, where: WhereStep, into: TypedValue[]): boolean {
  const object = from.value as Record<string, unknown> | undefined;
  if (!object || typeof object !== 'object' || Array.isArray(object)) return false;
  if (object.resourceType !== undefined || object[where.twin] !== undefined) return false;
  const elements = tryGetDataType(from.type)?.elements;
  if (!elements?.[where.element]) return false;
  const value = object[where.element];
  if (value !== undefined && typeof value !== 'string') return false;
  if (value === where.equals) into.push(from);
  return true;
}
