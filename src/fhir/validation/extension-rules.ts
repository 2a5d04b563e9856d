import { getElementDefinition } from '@medplum/core';
import type { OperationOutcomeIssue, StructureDefinition } from '@medplum/fhirtypes';
import { FACADE_BASE } from '../../../mappings/fhir-urls';
import { validateAgainst } from './medplum-validation';
import { checkBindings, isObject, issue } from './profile-rules';
import type { Terminology } from './terminology';

const OUR_DEFINITIONS = `${FACADE_BASE}/StructureDefinition/`;

export interface ExtensionDefinitions extends Terminology {
  structureDefinition(url: string): StructureDefinition | undefined;
}

/**
 * Every extension whose definition is ours is checked against it, wherever it appears and
 * whatever profile the resource claims: context, value type, invariants, bindings. medplum's
 * validator checks extensions only as the base Extension type.
 */
export function checkExtensions(resource: Record<string, unknown>, definitions: ExtensionDefinitions): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const visit = (value: unknown, path: string, place: Place): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`, place);
      return;
    }
    if (!isObject(value)) return;
    for (const key of Object.keys(value)) {
      const child = value[key];
      if (typeof child !== 'object' || child === null) continue;
      const name = key.startsWith('_') ? key.slice(1) : key;
      if (key === 'extension' && Array.isArray(child)) {
        for (let i = 0; i < child.length; i++) issues.push(...checkExtension(child[i], `${path}.extension[${i}]`, place, definitions));
        visit(child, `${path}.extension`, EXTENSION_PLACE);
      } else if (key === 'contained' && Array.isArray(child)) {
        for (let i = 0; i < child.length; i++) {
          const r: unknown = child[i];
          visit(r, `${path}.contained[${i}]`, rootPlace(isObject(r) ? String(r.resourceType) : ''));
        }
      } else {
        visit(child, `${path}.${name}`, new ElementPlace(place, name));
      }
    }
  };
  visit(resource, String(resource.resourceType), rootPlace(String(resource.resourceType)));
  return issues;
}

/**
 * Where an extension sits, in each form a StructureDefinition context may name it: the path from
 * the resource (`Patient.contact.telecom`), the data type there (`ContactPoint`), and the path
 * within the enclosing type (`HumanName.period`). https://hl7.org/fhir/R4/defining-extensions.html#context
 */
interface Place {
  readonly elementPath: string;
  readonly type: string;
  readonly typedPath: string;
}

/** The place of a root: a resource, or an extension (whose own extensions sit on `Extension`). */
const rootPlace = (type: string): Place => ({ elementPath: type, type, typedPath: type });

const EXTENSION_PLACE = rootPlace('Extension');

/** The place of element `name` inside another, worked out only when an extension is found there or below: most elements have none. */
class ElementPlace implements Place {
  #type: string | undefined;
  #elementPath: string | undefined;

  constructor(
    private readonly parent: Place,
    private readonly name: string,
  ) {}

  get type(): string {
    return (this.#type ??= typeOf(this.parent.type, this.name));
  }

  get elementPath(): string {
    return (this.#elementPath ??= `${this.parent.elementPath}.${this.name}`);
  }

  get typedPath(): string {
    return `${this.parent.type}.${this.name}`;
  }
}

/** The data type of element `name` (a choice's concrete name too) inside `type`; '' when unknown. */
function typeOf(type: string, name: string): string {
  const element = type ? getElementDefinition(type, name) : undefined;
  const codes = element?.type.map((t) => t.code) ?? [];
  if (codes.length === 1) return codes[0]!;
  return codes.find((code) => name.endsWith(code.charAt(0).toUpperCase() + code.slice(1))) ?? '';
}

function allowedAt(expression: string | undefined, place: Place): boolean {
  if (expression === 'Element' || expression === place.elementPath || expression === place.type || expression === place.typedPath) return true;
  return place.elementPath === place.type && (expression === 'Resource' || expression === 'DomainResource');
}

function checkExtension(ext: unknown, path: string, place: Place, definitions: ExtensionDefinitions): OperationOutcomeIssue[] {
  if (!isObject(ext) || typeof ext.url !== 'string') return [];
  const sd = definitions.structureDefinition(ext.url);
  if (sd?.type !== 'Extension') {
    return ext.url.startsWith(OUR_DEFINITIONS) ? [issue(`${path}.url`, `Unknown extension ${ext.url}`)] : [];
  }
  const contexts = sd.context ?? [];
  if (contexts.length > 0 && !contexts.some((c) => allowedAt(c.expression, place))) {
    const allowed = contexts.map((c) => c.expression).join(', ');
    return [issue(path, `Extension ${ext.url} is not allowed on ${place.elementPath} (only on ${allowed})`)];
  }
  const issues: OperationOutcomeIssue[] = validateAgainst(sd, ext)
    .filter((i) => i.severity === 'error')
    .map((i) => ({ ...i, expression: (i.expression ?? ['Extension']).map((e) => e.replace(/^Extension/, path)) }));

  const valueTypes = sd.snapshot?.element.find((e) => e.id === 'Extension.value[x]')?.type?.map((t) => t.code ?? '') ?? [];
  for (const key of Object.keys(ext).filter((k) => /^value[A-Z]/.test(k))) {
    if (!valueTypes.some((code) => code.charAt(0).toUpperCase() + code.slice(1) === key.slice(5))) {
      issues.push(issue(`${path}.${key}`, `Extension ${ext.url} takes value[x] of type ${valueTypes.join(' or ')}, not ${key.slice(5)}`));
    }
  }
  return [...issues, ...checkBindings(sd, ext, path, definitions)];
}
