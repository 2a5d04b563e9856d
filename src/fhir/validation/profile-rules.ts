import type { Coding, OperationOutcomeIssue, StructureDefinition } from '@medplum/fhirtypes';
import type { Terminology } from './terminology';

/*
 * The constraints of our profiles that medplum's validator does not enforce: it has no
 * terminology (bindings are ignored) and only warns about reference targets.
 */

type Json = Record<string, unknown>;

/** A value found in a resource, with its FHIRPath location (`PractitionerRole.code[0]`). */
export interface Located {
  value: unknown;
  path: string;
}

export function issue(path: string, text: string, code: OperationOutcomeIssue['code'] = 'structure'): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [path] };
}

export function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The values of an element (`ServiceRequest.code`, `Extension.value[x]`) under `root`, located at `rootPath`. */
export function valuesAt(root: unknown, elementPath: string, rootPath: string): Located[] {
  let found: Located[] = [{ value: root, path: rootPath }];
  for (const segment of elementPath.split('.').slice(1)) {
    found = found.flatMap(({ value, path }) => {
      if (!isObject(value)) return [];
      const keys = segment.endsWith('[x]')
        ? Object.keys(value).filter((k) => k.startsWith(segment.slice(0, -3)) && /^[A-Z]/.test(k.slice(segment.length - 3)))
        : [segment];
      return keys.flatMap((key) => {
        const v = value[key];
        if (Array.isArray(v)) return v.map((item, i) => ({ value: item, path: `${path}.${key}[${i}]` }));
        return v === undefined ? [] : [{ value: v, path: `${path}.${key}` }];
      });
    });
  }
  return found;
}

/**
 * Required bindings to our own value sets. A CodeableConcept conforms when one of its codings
 * is in the value set. https://hl7.org/fhir/R4/terminologies.html#required
 */
export function checkBindings(sd: StructureDefinition, root: unknown, rootPath: string, terminology: Terminology): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const element of sd.snapshot?.element ?? []) {
    const valueSet = element.binding?.valueSet;
    if (element.binding?.strength !== 'required' || !valueSet || element.id?.includes(':') || !element.path) continue;
    if (terminology.contains(valueSet, undefined, '') === undefined) continue;
    for (const { value, path } of valuesAt(root, element.path, rootPath)) {
      const codings = codingsOf(value);
      if (!codings.some((c) => c.code !== undefined && terminology.contains(valueSet, c.system, c.code))) {
        const shown = codings.map((c) => `${c.system ?? ''}#${c.code ?? ''}`).join(', ') || 'no code';
        issues.push(issue(path, `${shown} is not in the value set ${valueSet} (required binding)`, 'code-invalid'));
      }
    }
  }
  return issues;
}

function codingsOf(value: unknown): Coding[] {
  if (typeof value === 'string') return [{ code: value }];
  if (!isObject(value)) return [];
  if (Array.isArray(value.coding)) return value.coding.filter(isObject) as Coding[];
  return 'code' in value ? [value as Coding] : [];
}

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';
const LITERAL = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const CONDITIONAL = /^([A-Z][A-Za-z]+)\?/;

/** Reference targets our profiles narrow (lab-order: `subject` is a Patient). */
export function checkReferenceTargets(
  sd: StructureDefinition,
  resource: unknown,
  resolveType: (profileUrl: string) => string | undefined,
): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const element of sd.differential?.element ?? []) {
    const targets = element.type?.find((t) => t.code === 'Reference')?.targetProfile;
    if (!targets || !element.path || element.id?.includes(':')) continue;
    const allowed = targets.map((t) => (t.startsWith(HL7_SD) ? t.slice(HL7_SD.length) : resolveType(t)));
    if (allowed.includes(undefined) || allowed.includes('Resource')) continue;
    for (const { value, path } of valuesAt(resource, element.path, sd.type ?? '')) {
      const type = referenceType(value);
      if (type && !allowed.includes(type)) {
        issues.push(issue(path, `A reference to ${type} is not allowed here; expected ${allowed.join(' or ')}`));
      }
    }
  }
  return issues;
}

function referenceType(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.reference === 'string') {
    const match = LITERAL.exec(value.reference) ?? CONDITIONAL.exec(value.reference);
    if (match) return match[1];
  }
  return typeof value.type === 'string' ? value.type : undefined;
}

/** Names the slices behind an issue on a sliced element: "Missing required property" alone does not say what is missing. */
export function explainSlices(sd: StructureDefinition, issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const elements = sd.snapshot?.element ?? [];
  return issues.map((i) => {
    const slices = elements.filter((e) => e.sliceName && (e.min ?? 0) > 0 && e.path === i.expression?.[0]);
    if (slices.length === 0 || i.diagnostics) return i;
    const described = slices.map((s) => `${s.sliceName} ${s.min}..${s.max}${s.type?.[0]?.profile ? ` (${s.type[0].profile.join(', ')})` : ''}`);
    return { ...i, diagnostics: `${sd.url} requires ${described.join('; ')}` };
  });
}
