import type { Bundle } from '@medplum/fhirtypes';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { create, get, matchIds, search, sorted, unique } from './search/fixtures';

let t: TestApp;
const u = unique();
const ids: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 23; i++) {
    const gender = ['female', 'male', 'other'][i % 3] as 'female' | 'male' | 'other';
    ids.push((await create(t, { resourceType: 'Patient', gender, name: [{ family: `Page${u}` }] })).id);
  }
});
afterAll(() => t.close());

const linkOf = (bundle: Bundle, relation: string): string | undefined => bundle.link?.find((l) => l.relation === relation)?.url;

/** Follows `next` from the first page to the last; every page and its ids. */
async function allPages(path: string): Promise<{ pages: Bundle[]; ids: string[] }> {
  const pages: Bundle[] = [];
  let bundle = await search(t, path);
  for (;;) {
    pages.push(bundle);
    const next = linkOf(bundle, 'next');
    if (!next || pages.length > 50) break;
    bundle = (await t.http.get(new URL(next).pathname + new URL(next).search).expect(200)).body;
  }
  return { pages, ids: pages.flatMap((p) => matchIds(p, true)) };
}

describe('paging', () => {
  test('following next links visits every match exactly once, keeping the criteria', async () => {
    const { pages, ids: seen } = await allPages(`Patient?family=page${u}&_sort=gender&_count=5`);
    expect(pages).toHaveLength(5);
    expect(seen).toHaveLength(23);
    expect(sorted(seen)).toEqual(sorted(ids));
    for (const page of pages) {
      expect(page.total).toBe(23);
      expect(linkOf(page, 'self')).toContain(`family=page${u}`);
      expect(linkOf(page, 'self')).toContain('_sort=gender');
    }
    expect(linkOf(pages[0] as Bundle, 'previous')).toBeUndefined();
    expect(linkOf(pages[1] as Bundle, 'previous')).toContain('_offset=0');
    expect(linkOf(pages[4] as Bundle, 'next')).toBeUndefined();
  });

  test('without a total, next is offered exactly while more matches follow', async () => {
    const { pages, ids: seen } = await allPages(`Patient?family=page${u}&_total=none&_count=23`);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.total).toBeUndefined();
    expect(sorted(seen)).toEqual(sorted(ids));
    const paged = await allPages(`Patient?family=page${u}&_total=none&_count=4`);
    expect(paged.pages).toHaveLength(6);
    expect(sorted(paged.ids)).toEqual(sorted(ids));
  });

  test('under the counting bound, every _total mode but none counts exactly', async () => {
    expect((await search(t, `Patient?family=page${u}&_total=estimate&_count=1`)).total).toBe(23);
    expect((await search(t, `Patient?family=page${u}&_count=1`)).total).toBe(23);
    expect((await search(t, `Patient?family=page${u}&_total=accurate&_count=1`)).total).toBe(23);
  });

  test('_count=0 and _summary=count answer only the total', async () => {
    for (const query of ['_count=0', '_summary=count']) {
      const bundle = await search(t, `Patient?family=page${u}&${query}`);
      expect(bundle.total).toBe(23);
      expect(bundle.entry).toBeUndefined();
      expect(bundle.link?.map((l) => l.relation)).toEqual(['self']);
    }
  });

  test('_count is 20 by default and clamped to 1000; _offset past 10000 is a 400', async () => {
    expect(matchIds(await search(t, `Patient?family=page${u}`))).toHaveLength(20);
    expect(linkOf(await search(t, `Patient?family=page${u}&_count=5000`), 'self')).toContain('_count=1000');
    const res = await get(t, `Patient?family=page${u}&_offset=10001`);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['_offset']);
  });

  test('POST _search with a form body answers as GET does', async () => {
    const viaGet = await search(t, `Patient?family=page${u}&gender=male&_sort=_id`);
    const viaPost = await t.http
      .post(`${FHIR_BASE}/Patient/_search`)
      .type('form')
      .send({ family: `page${u}`, gender: 'male', _sort: '_id' })
      .expect(200);
    expect(matchIds(viaPost.body, true)).toEqual(matchIds(viaGet, true));
    expect(viaPost.body.total).toBe(viaGet.total);
    expect(linkOf(viaPost.body, 'self')).toContain(`family=page${u}`);
  });
});

describe('sorting', () => {
  const s = unique();
  const born: Record<string, string> = {};
  beforeAll(async () => {
    for (const [given, birthDate] of [
      ['b', '1990'],
      ['a', '1980'],
      ['b', '2000'],
      ['a', '1995'],
    ] as const) {
      born[`${given}${birthDate}`] = (await create(t, { resourceType: 'Patient', name: [{ family: `Sort${s}`, given: [given] }], birthDate })).id;
    }
  });
  const order = (query: string): Promise<string[]> => search(t, `Patient?family=sort${s}&_sort=${query}`).then((b) => matchIds(b, true));

  test('several keys, - for descending', async () => {
    expect(await order('given,-birthdate')).toEqual(['a1995', 'a1980', 'b2000', 'b1990'].map((k) => born[k]));
    expect(await order('-given,birthdate')).toEqual(['b1990', 'b2000', 'a1980', 'a1995'].map((k) => born[k]));
    expect(await order('-birthdate')).toEqual(['b2000', 'a1995', 'b1990', 'a1980'].map((k) => born[k]));
  });

  test('_id and _lastUpdated', async () => {
    const all = Object.values(born);
    expect(await order('-_id')).toEqual(sorted(all).reverse());
    expect(await order('_lastUpdated')).toEqual(['b1990', 'a1980', 'b2000', 'a1995'].map((k) => born[k]));
  });

  test('resources without the sort value come last', async () => {
    const none = (await create(t, { resourceType: 'Patient', name: [{ family: `Sort${s}` }] })).id;
    expect((await order('birthdate')).at(-1)).toBe(none);
    expect((await order('-birthdate')).at(-1)).toBe(none);
  });
});

describe('_summary and _elements', () => {
  const e = unique();
  let id: string;
  beforeAll(async () => {
    id = (
      await create(t, {
        resourceType: 'Patient',
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
        name: [{ family: `Elem${e}` }],
        birthDate: '1970-01-01',
        deceasedBoolean: false,
        maritalStatus: { text: 'M' },
      })
    ).id;
  });
  const only = async (query: string): Promise<Record<string, unknown>> =>
    (await search(t, `Patient?_id=${id}&${query}`)).entry?.[0]?.resource as unknown as Record<string, unknown>;
  const subsetted = (r: Record<string, unknown>): boolean => JSON.stringify(r.meta).includes('SUBSETTED');

  test('_summary=true keeps the summary elements and marks the resource SUBSETTED', async () => {
    const r = await only('_summary=true');
    expect(Object.keys(r).sort()).toEqual(['birthDate', 'deceasedBoolean', 'id', 'meta', 'name', 'resourceType']);
    expect(subsetted(r)).toBe(true);
  });

  test('_summary=text and _summary=data', async () => {
    expect(Object.keys(await only('_summary=text')).sort()).toEqual(['id', 'meta', 'resourceType', 'text']);
    const data = await only('_summary=data');
    expect(data.text).toBeUndefined();
    expect(data.maritalStatus).toEqual({ text: 'M' });
  });

  test('_elements keeps the listed elements plus id and meta', async () => {
    const r = await only('_elements=birthDate,deceased');
    expect(Object.keys(r).sort()).toEqual(['birthDate', 'deceasedBoolean', 'id', 'meta', 'resourceType']);
    expect(subsetted(r)).toBe(true);
  });

  test('without them the resource is whole', async () => {
    const r = await only('_summary=false');
    expect(r.maritalStatus).toEqual({ text: 'M' });
    expect(subsetted(r)).toBe(false);
  });
});
