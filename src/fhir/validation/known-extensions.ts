import { createHash } from 'node:crypto';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { isObject } from './profile-rules';

/**
 * Extensions are a third or more of base validation (medplum tries every type of `value[x]` on
 * each of them), and EHR data repeats the same ones on every resource: a race, an ethnicity, a
 * birth sex. An extension's base R4 validity depends on its own JSON only, so an extension array
 * whose every element was seen valid before is left out of the copy medplum validates. Our own
 * extension definitions and required bindings are checked on the resource as sent, not here.
 *
 * Remembered by SHA-256 of the extension's JSON (no values kept), at most MAX_REMEMBERED; an
 * extension is remembered only from a validation with no error at all and no issue under it.
 */
const MAX_REMEMBERED = 5_000;
const remembered = new Set<string>();

/** What medplum should validate, and how to learn from its answer. */
export interface ExtensionPlan {
  /** The resource with the arrays of known extensions left out (the resource itself when none are). */
  toValidate: Record<string, unknown>;
  /** Call with medplum's issues: the extensions it checked become known when nothing was wrong with them. */
  learn(issues: readonly OperationOutcomeIssue[]): void;
}

interface CheckedExtension {
  path: string;
  digest: string;
}

export function planExtensions(resource: Record<string, unknown>): ExtensionPlan {
  const checked: CheckedExtension[] = [];
  const toValidate = withoutKnown(resource, String(resource.resourceType), checked);
  return {
    toValidate,
    learn(issues) {
      if (checked.length === 0 || issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) return;
      const flagged = issues.flatMap((i) => i.expression ?? []);
      for (const { path, digest } of checked) {
        if (flagged.some((e) => e === path || e.startsWith(`${path}.`))) continue;
        remembered.delete(digest);
        remembered.add(digest);
        if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.values().next().value as string);
      }
    },
  };
}

/**
 * `value` without the `extension` arrays whose elements are all known, copied only along the
 * way to one. Left in place: arrays with an unknown element (noted in `checked`), an array that
 * is all its object holds besides `id` (medplum would then see an empty element), primitives'
 * `_` twins and contained resources (their issues are worded from other paths).
 */
function withoutKnown(value: Record<string, unknown>, path: string, checked: CheckedExtension[]): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('_') || key === 'contained' || key === 'modifierExtension') continue;
    if (key === 'extension') {
      if (Array.isArray(child) && child.length > 0 && strippable(value) && allKnown(child, `${path}.extension`, checked)) {
        copy ??= { ...value };
        delete copy.extension;
      }
      continue;
    }
    const replaced = Array.isArray(child)
      ? mapObjects(child, `${path}.${key}`, checked)
      : isObject(child)
        ? withoutKnown(child, `${path}.${key}`, checked)
        : child;
    if (replaced !== child) {
      copy ??= { ...value };
      copy[key] = replaced;
    }
  }
  return copy ?? value;
}

function mapObjects(items: unknown[], path: string, checked: CheckedExtension[]): unknown[] {
  let copy: unknown[] | undefined;
  items.forEach((item, i) => {
    if (!isObject(item)) return;
    const replaced = withoutKnown(item, `${path}[${i}]`, checked);
    if (replaced !== item) {
      copy ??= [...items];
      copy[i] = replaced;
    }
  });
  return copy ?? items;
}

function allKnown(extensions: unknown[], path: string, checked: CheckedExtension[]): boolean {
  let known = true;
  extensions.forEach((extension, i) => {
    const digest = createHash('sha256')
      .update(JSON.stringify(extension) ?? '')
      .digest('base64');
    if (remembered.has(digest)) return;
    known = false;
    if (isObject(extension)) checked.push({ path: `${path}[${i}]`, digest });
  });
  return known;
}

const strippable = (holder: Record<string, unknown>): boolean => Object.keys(holder).some((key) => key !== 'extension' && key !== 'id');
