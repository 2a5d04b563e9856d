import type { HumanName } from '@medplum/fhirtypes';

// Compared lowercased without dots, so "Dr.", "DR" and "dr" all match.
const PREFIXES = new Set(['dr', 'prof', 'mr', 'mrs', 'ms', 'miss', 'mx', 'sir', 'dame', 'rev']);
const SUFFIXES = new Set([
  'md',
  'do',
  'phd',
  'mbbs',
  'mbchb',
  'np',
  'pa',
  'pac',
  'rn',
  'dnp',
  'pharmd',
  'dds',
  'dmd',
  'facp',
  'faafp',
  'jr',
  'sr',
  'ii',
  'iii',
  'iv',
]);

// Lowercase surname particles that belong to the family name: "Ana de la Cruz" → family "de la Cruz".
const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'da', 'di', 'du', 'la', 'le', 'bin', 'al']);

const bare = (token: string): string => token.toLowerCase().replace(/[.,]/g, '');
const dropComma = (token: string): string => token.replace(/,+$/, '');

/**
 * A single-line name kept verbatim in `text`, plus a best-effort split into prefix, given,
 * family and suffix so that FHIR search by family/given works: "Dr Sarah Johnson" →
 * prefix Dr, given Sarah, family Johnson. `text` stays the source of truth for /v1.
 */
export function parseHumanName(text: string): HumanName {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  let start = 0;
  let end = tokens.length;
  while (start < end - 1 && PREFIXES.has(bare(tokens[start] ?? ''))) start++;
  while (end - 1 > start && SUFFIXES.has(bare(tokens[end - 1] ?? ''))) end--;
  const prefix = tokens.slice(0, start);
  const suffix = tokens.slice(end).map(dropComma);
  const core = tokens.slice(start, end).map(dropComma).filter(Boolean);
  let familyStart = core.length - 1;
  while (familyStart > 1 && PARTICLES.has(core[familyStart - 1] ?? '')) familyStart--;
  const family = core.splice(familyStart).join(' ');
  return {
    use: 'official',
    text,
    ...(prefix.length ? { prefix } : {}),
    ...(core.length ? { given: core } : {}),
    ...(family ? { family } : {}),
    ...(suffix.length ? { suffix } : {}),
  };
}

/** The official name if there is one, else the first. */
export function preferredName(names: HumanName[] | undefined): HumanName | undefined {
  return names?.find((n) => n.use === 'official') ?? names?.[0];
}

/** `text` when set, else the parts joined: prefix given family suffix. */
export function nameText(name: HumanName | undefined): string {
  if (!name) return '';
  if (name.text) return name.text;
  return [...(name.prefix ?? []), ...(name.given ?? []), name.family ?? '', ...(name.suffix ?? [])].filter(Boolean).join(' ');
}
