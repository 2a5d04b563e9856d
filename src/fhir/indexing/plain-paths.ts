import type { TypedValue } from '@medplum/core';
import { isEmpty, tryGetDataType } from '../medplum-core';

/*
 * Most search parameters are plain paths (`Patient.name.family`, `ServiceRequest.subject`, or a
 * union of such paths over several types), some with a filter on a code (`Patient.telecom.where(
 * system='email')`) or on a reference's target type (`ServiceRequest.subject.where(resolve() is
 * Patient)`), a few a cast of a choice element (`(Patient.deceased as dateTime)`) or a presence
 * test (`Patient.deceased.exists() and Patient.deceased != false`). FHIRPath evaluates each step
 * by looking the element up and trying the JSON name of each of its types; followed here over the
 * JSON with the same rules, a path costs a property read per step. Anything this does not follow
 * the way medplum's FHIRPath would (a primitive's `_` twin, an element the type does not define, a
 * nested resource) answers undefined, and the caller evaluates the expression as FHIRPath.
 */

/** Keeps the values whose element `element` is the text `equals`: FHIRPath's `where(element = 'equals')`. */
export interface WhereStep {
  element: string;
  /** The element's `_` twin, where a primitive's extensions are. */
  twin: string;
  equals: string;
}

/** Keeps the references whose target FHIRPath's `resolve()` names as this resource type: `where(resolve() is Patient)`. */
export interface ResolvesToStep {
  resolvesTo: string;
}

/** Keeps the values of this type: `(Patient.deceased as dateTime)`. */
export interface OfTypeStep {
  ofType: string;
}

/** The values before it become one boolean: whether there are any and they are not the one value `false` (`P.exists() and P != false`). */
export interface PresentNotFalseStep {
  presentNotFalse: true;
}

/** A path after its leading type name: `Patient.name.family` → ['name', 'family']. */
export type PlainPath = readonly string[];

/** A plain path whose steps may also be filters, a cast or, last, a presence test. */
export type WalkPath = readonly (string | WhereStep | ResolvesToStep | OfTypeStep | PresentNotFalseStep)[];

const TYPE_NAME = /^\(?([A-Z][A-Za-z]*)\./;
const ELEMENT_STEP = /\.([a-z][A-Za-z]*)/y;
const WHERE_STEP = /\.where\(([a-z][A-Za-z]*) ?= ?'([^'\\]*)'\)/y;
const RESOLVES_TO_STEP = /\.where\(resolve\(\) is ([A-Z][A-Za-z]*)\)/y;
const CAST = /^\((.+) as ([A-Za-z]+)\)$/;
const PRESENT_NOT_FALSE = /^(.+)\.exists\(\) and (.+) != false$/;
/** Type names FHIRPath's `is` tests by the value's form rather than by its type: not a resource type. */
const FORM_TESTED_TYPES = new Set(['Boolean', 'Decimal', 'Integer', 'Date', 'DateTime', 'Time', 'Period', 'Quantity']);
/** Types every resource is: a branch on one of these applies to the resource whatever its type. */
const ABSTRACT_TYPES = new Set(['Resource', 'DomainResource']);

/** A branch's leading type and its steps; the steps undefined when it is not a path of elements, filters, a cast or a presence test. */
function parseBranch(branch: string): { type: string | undefined; steps: WalkPath | undefined } {
  const type = TYPE_NAME.exec(branch)?.[1];
  const cast = CAST.exec(branch);
  const presence = PRESENT_NOT_FALSE.exec(branch);
  if (cast) return { type, steps: withLast(pathSteps(cast[1]!, type), { ofType: cast[2]! }) };
  if (presence && presence[1] === presence[2]) return { type, steps: withLast(pathSteps(presence[1]!, type), { presentNotFalse: true }) };
  return { type, steps: pathSteps(branch, type) };
}

const withLast = (steps: WalkPath | undefined, last: OfTypeStep | PresentNotFalseStep): WalkPath | undefined => steps && [...steps, last];

/** The steps of a path of elements and filters after its leading type name; undefined for anything else. */
function pathSteps(branch: string, type: string | undefined): WalkPath | undefined {
  if (type === undefined || !branch.startsWith(`${type}.`)) return undefined;
  const steps: WalkPath[number][] = [];
  let at = type.length;
  while (at < branch.length) {
    const step = stepAt(branch, at);
    if (!step) return undefined;
    steps.push(step.step);
    at = step.end;
  }
  return steps;
}

function stepAt(branch: string, at: number): { step: WalkPath[number]; end: number } | undefined {
  ELEMENT_STEP.lastIndex = WHERE_STEP.lastIndex = RESOLVES_TO_STEP.lastIndex = at;
  const where = WHERE_STEP.exec(branch);
  if (where) return { step: { element: where[1]!, twin: `_${where[1]!}`, equals: where[2]! }, end: WHERE_STEP.lastIndex };
  const resolves = RESOLVES_TO_STEP.exec(branch);
  if (resolves) return FORM_TESTED_TYPES.has(resolves[1]!) ? undefined : { step: { resolvesTo: resolves[1]! }, end: RESOLVES_TO_STEP.lastIndex };
  const element = ELEMENT_STEP.exec(branch);
  return element ? { step: element[1]!, end: ELEMENT_STEP.lastIndex } : undefined;
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
      if (typeof step === 'object' && 'presentNotFalse' in step) {
        current = [{ type: 'boolean', value: current.length > 1 || (current.length === 1 && current[0]!.value !== false) }];
        continue;
      }
      const next: TypedValue[] = [];
      for (const value of current) if (!take(value, step, next)) return undefined;
      current = next;
    }
    found.push(...current);
  }
  return found;
}

/** Whether the filter certainly keeps the value: false when it does not, or when only FHIRPath could say. */
export function keptBy(value: TypedValue, filter: WhereStep): boolean {
  const kept: TypedValue[] = [];
  return keepIf(value, filter, kept) && kept.length > 0;
}

/** Adds what one step gives of `value` to `into`; false where FHIRPath must be asked. */
function take(value: TypedValue, step: Exclude<WalkPath[number], PresentNotFalseStep>, into: TypedValue[]): boolean {
  if (typeof step === 'string') return stepInto(value, step, into);
  if ('ofType' in step) {
    if (value.type === step.ofType) into.push(value);
    return true;
  }
  if ('resolvesTo' in step) return keepResolving(value, step.resolvesTo, into);
  return keepIf(value, step, into);
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

/**
 * Adds a reference to `into` when FHIRPath's `resolve()` (medplum's, which reads the reference
 * text without fetching anything) names `resourceType` as its target: the text before a `?` (a
 * conditional reference, or `Reference.type` with an identifier), else before the first `/`.
 */
function keepResolving(from: TypedValue, resourceType: string, into: TypedValue[]): boolean {
  const reference = from.value as Record<string, unknown> | undefined;
  if (!reference || typeof reference !== 'object' || Array.isArray(reference) || reference.resource !== undefined) return false;
  const text = reference.reference ? reference.reference : reference.type && reference.identifier ? `${String(reference.type)}?identifier=` : undefined;
  if (text !== undefined && typeof text !== 'string') return false;
  const target = text?.includes('?') ? text.split('?')[0] : text?.includes('/') ? text.split('/')[0] : undefined;
  if (target === resourceType) into.push(from);
  return true;
}
