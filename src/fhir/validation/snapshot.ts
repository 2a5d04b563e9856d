import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

/** Finds a StructureDefinition that already has a snapshot (base R4 or one of ours). */
export type SnapshotResolver = (url: string) => StructureDefinition | undefined;

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';
const extensionSlicing = (): ElementDefinition['slicing'] => ({ discriminator: [{ type: 'value', path: 'url' }], rules: 'open' });

/**
 * Builds `snapshot` from the base definition's snapshot and `differential`: constraints are
 * merged by element id, and each slice is inserted after its sliced element with the child
 * elements of its type (for an extension slice: the extension's own definition, so that
 * `url` carries the fixedUri that medplum's validator uses to recognise the slice).
 * https://hl7.org/fhir/R4/profiling.html#snapshot
 */
export function generateSnapshot(sd: StructureDefinition, resolve: SnapshotResolver): StructureDefinition {
  const base = sd.baseDefinition ? resolve(sd.baseDefinition) : undefined;
  if (!base?.snapshot?.element) throw new Error(`${sd.url}: base definition ${sd.baseDefinition} has no snapshot`);
  const elements = structuredClone(base.snapshot.element);
  for (const diff of sd.differential?.element ?? []) {
    if (diff.sliceName) addSlice(sd.url, elements, diff, resolve);
    else constrain(sd.url, elementById(sd.url, elements, diff.id), diff);
  }
  return { ...sd, snapshot: { element: elements } };
}

function addSlice(url: string, elements: ElementDefinition[], diff: ElementDefinition, resolve: SnapshotResolver): void {
  const slicedId = (diff.id ?? '').slice(0, -(diff.sliceName ?? '').length - 1);
  const sliced = elementById(url, elements, slicedId);
  if (!sliced.slicing) {
    if (!sliced.type?.some((t) => t.code === 'Extension')) throw new Error(`${url}: ${slicedId} is sliced without slicing rules`);
    sliced.slicing = extensionSlicing();
  }
  const { slicing: _slicing, ...template } = structuredClone(sliced);
  const slice: ElementDefinition = { ...template, id: diff.id, sliceName: diff.sliceName, min: 0 };
  constrain(url, slice, diff);

  const typeUrl = slice.type?.[0]?.profile?.[0] ?? HL7_SD + (slice.type?.[0]?.code ?? '');
  const typeDefinition = resolve(typeUrl);
  if (!typeDefinition?.snapshot?.element) throw new Error(`${url}: no definition with a snapshot for ${typeUrl}`);
  const children = typeDefinition.snapshot.element.slice(1).map((e) => rebase(e, slice));

  let at = elements.indexOf(sliced);
  while (at + 1 < elements.length && belongsTo(elements[at + 1]?.id, slicedId)) at++;
  elements.splice(at + 1, 0, slice, ...children);

  const requiredBySlices = elements.filter((e) => e.path === sliced.path && e.sliceName && e.id?.startsWith(slicedId + ':'));
  const minimum = requiredBySlices.reduce((sum, e) => sum + (e.min ?? 0), 0);
  // A required slice makes the sliced element itself required; without this medplum never
  // looks at the slices of an absent array.
  if ((sliced.min ?? 0) < minimum) sliced.min = minimum;
}

/** Re-roots a type's element (`Extension.url`) under a slice (`Patient.extension:brandId.url`). */
function rebase(element: ElementDefinition, slice: ElementDefinition): ElementDefinition {
  const copy = structuredClone(element);
  const id = element.id ?? '';
  const path = element.path ?? '';
  copy.id = slice.id + id.slice(id.indexOf('.'));
  copy.path = slice.path + path.slice(path.indexOf('.'));
  return copy;
}

function belongsTo(id: string | undefined, slicedId: string): boolean {
  return !!id && (id.startsWith(slicedId + '.') || id.startsWith(slicedId + ':'));
}

function elementById(url: string, elements: ElementDefinition[], id: string | undefined): ElementDefinition {
  const element = elements.find((e) => e.id === id);
  if (!element) throw new Error(`${url}: differential element ${id} is not in the base snapshot`);
  return element;
}

/** Applies a differential element onto a snapshot element, refusing to widen cardinality. */
function constrain(url: string, target: ElementDefinition, diff: ElementDefinition): void {
  const { id: _id, path: _path, constraint, ...rest } = diff;
  if (rest.min !== undefined && rest.min < (target.min ?? 0)) throw new Error(`${url}: ${diff.id} lowers min below the base`);
  if (rest.max !== undefined && cardinality(rest.max) > cardinality(target.max)) {
    throw new Error(`${url}: ${diff.id} raises max above the base`);
  }
  Object.assign(target, rest);
  if (constraint) target.constraint = [...(target.constraint ?? []), ...constraint];
}

function cardinality(max: string | undefined): number {
  return max === undefined || max === '*' ? Number.POSITIVE_INFINITY : Number.parseInt(max, 10);
}
