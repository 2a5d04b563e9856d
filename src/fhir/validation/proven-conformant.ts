import { getElementDefinition } from '@medplum/core';
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { isObject } from './profile-rules';

/**
 * Whether a resource whose base R4 is valid conforms to one of our profiles by what the profile's
 * differential adds, read here without medplum: medplum validates against the whole snapshot, a
 * crawl of every element of the resource (about a third of the server's CPU in a `/v1` create).
 * Only the kinds of rule our profiles write are read — extension slices by `url`, cardinalities,
 * a binding (checked apart, by `checkBindings`), a Reference narrowed to target profiles (checked
 * apart, by `checkReferenceTargets`). A profile with any other rule, or a resource where a rule
 * cannot be read plainly, is left to medplum: false means "not proven", never "invalid".
 */
export function provenConformant(sd: StructureDefinition, resource: Record<string, unknown>): boolean {
  let rules = RULES.get(sd);
  if (rules === undefined) {
    rules = rulesOf(sd);
    RULES.set(sd, rules);
  }
  return rules !== null && rules.every((rule) => rule(resource));
}

type Rule = (resource: Record<string, unknown>) => boolean;

/** Each profile's rules, read once; null where the differential says more than these rules read. */
const RULES = new WeakMap<StructureDefinition, Rule[] | null>();

/** Members of an element definition that state no rule a resource could break. */
const DESCRIPTIVE = new Set(['id', 'path', 'short', 'definition', 'comment', 'requirements', 'alias', 'label', 'mustSupport', 'isSummary', 'mapping']);

function rulesOf(sd: StructureDefinition): Rule[] | null {
  const type = sd.type;
  const elements = sd.differential?.element;
  if (!type || !elements) return null;
  const rules: Rule[] = [];
  let extensionsSlicedByUrl = false;
  for (const element of elements) {
    if (element.path === type && !element.sliceName) {
      if (!onlyDescriptive(element, [])) return null;
      continue;
    }
    const name = element.path.slice(type.length + 1);
    if (!element.path.startsWith(`${type}.`) || name.includes('.') || name.endsWith('[x]')) return null;
    if (element.slicing) {
      if (name !== 'extension' || element.sliceName || !slicedByUrl(element) || !onlyDescriptive(element, ['slicing'])) return null;
      extensionsSlicedByUrl = true;
    } else if (element.sliceName) {
      const url = extensionProfile(element);
      if (name !== 'extension' || !extensionsSlicedByUrl || url === undefined || !onlyDescriptive(element, ['sliceName', 'type', 'min', 'max'])) return null;
      rules.push(counted((r) => (Array.isArray(r.extension) ? r.extension.filter((e) => isObject(e) && e.url === url).length : 0), element));
    } else {
      if (!onlyDescriptive(element, ['min', 'max', 'binding', 'type']) || (element.type && !narrowsOnlyTargets(type, name, element))) return null;
      rules.push(counted((r) => (`_${name}` in r ? NaN : countOf(r[name])), element));
    }
  }
  return rules;
}

function onlyDescriptive(element: ElementDefinition, allowed: string[]): boolean {
  return Object.keys(element).every((key) => DESCRIPTIVE.has(key) || allowed.includes(key));
}

function slicedByUrl({ slicing }: ElementDefinition): boolean {
  const [discriminator, ...more] = slicing?.discriminator ?? [];
  return more.length === 0 && discriminator?.type === 'value' && discriminator.path === 'url' && (slicing?.rules ?? 'open') === 'open' && !slicing?.ordered;
}

/** The one extension definition a slice is typed with. */
function extensionProfile({ type }: ElementDefinition): string | undefined {
  const [only, ...more] = type ?? [];
  return more.length === 0 && only?.code === 'Extension' && only.profile?.length === 1 && !only.targetProfile ? only.profile[0] : undefined;
}

/** A type list that keeps the base element's one type and adds nothing but target profiles. */
function narrowsOnlyTargets(resourceType: string, name: string, element: ElementDefinition): boolean {
  const base = getElementDefinition(resourceType, name)?.type ?? [];
  const [only, ...more] = element.type ?? [];
  return more.length === 0 && base.length === 1 && only?.code === base[0]?.code && !only?.profile;
}

/** A rule that the values counted stay within the element's cardinality; NaN (not countable) fails it. */
function counted(count: (resource: Record<string, unknown>) => number, { min, max }: ElementDefinition): Rule {
  const upper = max === undefined || max === '*' ? Infinity : Number(max);
  return (resource) => {
    const n = count(resource);
    return n >= (min ?? 0) && n <= upper;
  };
}

/** How many values an element holds; NaN where one is hollow (medplum counts an empty value as none, the base check lets it by). */
function countOf(value: unknown): number {
  if (value === undefined) return 0;
  const values = Array.isArray(value) ? value : [value];
  return values.some(hollow) ? NaN : values.length;
}

const hollow = (value: unknown): boolean =>
  value === null || value === '' || (Array.isArray(value) ? value.every(hollow) : isObject(value) && Object.values(value).every(hollow));
