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
  const visit = (value: unknown, path: string, elementPath: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`, elementPath));
      return;
    }
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const name = key.startsWith('_') ? key.slice(1) : key;
      if (key === 'extension' && Array.isArray(child)) {
        child.forEach((ext, i) => issues.push(...checkExtension(ext, `${path}.extension[${i}]`, elementPath, definitions)));
        visit(child, `${path}.extension`, 'Extension');
      } else if (key === 'contained' && Array.isArray(child)) {
        child.forEach((r, i) => visit(r, `${path}.contained[${i}]`, isObject(r) ? String(r.resourceType) : ''));
      } else {
        visit(child, `${path}.${name}`, `${elementPath}.${name}`);
      }
    }
  };
  visit(resource, String(resource.resourceType), String(resource.resourceType));
  return issues;
}

function checkExtension(ext: unknown, path: string, elementPath: string, definitions: ExtensionDefinitions): OperationOutcomeIssue[] {
  if (!isObject(ext) || typeof ext.url !== 'string') return [];
  const sd = definitions.structureDefinition(ext.url);
  if (sd?.type !== 'Extension') {
    return ext.url.startsWith(OUR_DEFINITIONS) ? [issue(`${path}.url`, `Unknown extension ${ext.url}`)] : [];
  }
  const contexts = sd.context ?? [];
  if (contexts.length > 0 && !contexts.some((c) => c.expression === elementPath || c.expression === 'Element')) {
    const allowed = contexts.map((c) => c.expression).join(', ');
    return [issue(path, `Extension ${ext.url} is not allowed on ${elementPath} (only on ${allowed})`)];
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
