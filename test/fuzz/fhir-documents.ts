import fc from 'fast-check';
import { anyResource } from './fhir-resources';
import { raw, toNode, type JsonNode } from './json-text';
import { oddKey, oddString, oddValue } from './odd-values';

/* FHIR request bodies beyond one resource: JSON Patch documents and Bundles. */

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** JSON Pointers into a resource: real element paths, odd ones, and built-in property names. */
export const pointer: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '/active',
    '/name',
    '/name/0',
    '/name/0/family',
    '/name/-',
    '/name/0/given/-',
    '/gender',
    '/birthDate',
    '/extension',
    '/extension/0/url',
    '/identifier/0/value',
    '/telecom/0/value',
    '/status',
    '/subject/reference',
    '/id',
    '/resourceType',
    '/meta',
    '/meta/versionId',
    '/text/div',
    '/__proto__',
    '/__proto__/polluted',
    '/constructor/prototype/polluted',
    '/name/999',
    '/name/-1',
    '/name/01',
    '/name/1e0',
    '/a~1b',
    '/~2',
    '',
    '/',
    '//',
    'name',
  ),
  fc
    .array(fc.oneof(fc.stringMatching(/^[a-z]{1,8}$/), fc.nat({ max: 5 }).map(String), oddKey, oddString), { maxLength: 4 })
    .map((segments) => segments.map((s) => `/${escapePointer(s)}`).join('')),
);

const patchValue: fc.Arbitrary<JsonNode> = fc.oneof(
  oddValue,
  fc
    .constantFrom(
      '"Smith"',
      'true',
      '"female"',
      '"1970-01-01"',
      '[{"family":"X"}]',
      '{"family":"Y","given":["Z"]}',
      '{"url":"http://example.org/x","valueString":"v"}',
    )
    .map(raw),
);

const operation: fc.Arbitrary<JsonNode> = fc
  .record(
    {
      op: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test') }, oddString),
      path: pointer,
      value: patchValue,
      from: pointer,
    },
    { requiredKeys: ['op', 'path'] },
  )
  .map(({ op, path, value, from }) => ({
    t: 'obj',
    entries: [
      ['op', toNode(op)],
      ['path', toNode(path)],
      ...(value ? [['value', value] as [string, JsonNode]] : []),
      ...(from !== undefined ? [['from', toNode(from)] as [string, JsonNode]] : []),
    ],
  }));

/** A JSON Patch document: a list of operations, or (now and then) something that is not one. */
export const patchDocument: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 5, arbitrary: fc.array(operation, { minLength: 1, maxLength: 4 }).map((items): JsonNode => ({ t: 'arr', items })) },
  { weight: 1, arbitrary: oddValue },
);

/** One Bundle entry: a create, update, read, search or delete of one of the six types, under a fullUrl of its own. */
const entry = fc
  .tuple(anyResource, fc.constantFrom('POST', 'PUT', 'GET', 'DELETE', 'search'), fc.uuid(), fc.stringMatching(/^[A-Za-z0-9]{1,12}$/))
  .map(([{ type, resource }, method, uuid, id]) => {
    const fullUrl = `urn:uuid:${uuid}`;
    switch (method) {
      case 'POST':
        return { fullUrl, resource, request: { method, url: type } };
      case 'PUT':
        return { fullUrl, resource: { ...resource, id }, request: { method, url: `${type}/${id}` } };
      case 'search':
        return { request: { method: 'GET', url: `${type}?_id=${id}` } };
      default:
        return { request: { method, url: `${type}/${id}` } };
    }
  });

/** Points an entry's reference (subject, practitioner, organization) at an earlier entry's fullUrl, to exercise reference resolution. */
function linked(entries: Record<string, unknown>[], link: number): Record<string, unknown>[] {
  return entries.map((e, i) => {
    const resource = e.resource as Record<string, unknown> | undefined;
    const other = i === 0 ? undefined : entries[link % i]?.fullUrl;
    if (!resource || typeof other !== 'string') return e;
    const key = ['subject', 'practitioner', 'organization'].find((k) => k in resource);
    return key ? { ...e, resource: { ...resource, [key]: { reference: other } } } : e;
  });
}

/** A transaction or batch Bundle (the mutations make it into other things). */
export const bundle = fc
  .tuple(
    fc.constantFrom('transaction', 'batch'),
    fc.uniqueArray(entry, { maxLength: 4, selector: (e) => (e.request.method === 'POST' ? e.fullUrl : e.request.url.split('?')[0]) }),
    fc.nat({ max: 3 }),
  )
  .map(([type, entries, link]) => ({ resourceType: 'Bundle', type, entry: linked(entries, link) }));
