import type { HumanName, ServiceRequest } from '@medplum/fhirtypes';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { create, matchIds, search, sorted, unique } from './search/fixtures';

/**
 * A sort by one date parameter walks the date index: each resource placed once, by its earliest
 * start ascending and its latest end descending, those without a value last in id order, pages
 * cut across that boundary as anywhere else.
 */
let t: TestApp;
const u = unique();
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  const subject = { reference: `Patient/sort-${u}` };
  const occurrences: Record<string, Partial<ServiceRequest>> = {
    events: { occurrenceTiming: { event: ['2021-03-01', '2021-01-01', '2021-05-01'] } },
    day: { occurrenceDateTime: '2021-02-01' },
    period: { occurrencePeriod: { start: '2020-12-01', end: '2021-06-01' } },
    sameDay: { occurrenceDateTime: '2021-02-01' },
    // Two rows that start together: the ascending walk places the order by one of them.
    startsTwice: { occurrenceTiming: { event: ['2021-04-01', '2021-04-01T00:00:00Z'] } },
    none: {},
    alsoNone: {},
  };
  for (const [name, occurrence] of Object.entries(occurrences)) {
    ids[name] = (await create(t, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject, ...occurrence })).id;
  }
  const gone = await create(t, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject, occurrenceDateTime: '2021-02-15' });
  await t.http.delete(`/fhir/R4/ServiceRequest/${gone.id}`).expect(200);
  await create(t, {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: `Patient/other-${u}` },
    occurrenceDateTime: '2021-02-15',
  });
});
afterAll(() => t.close());

const named = (...names: string[]): string[] => names.map((name) => ids[name] as string);
const sameDay = (): string[] => sorted(named('day', 'sameDay'));
const withoutValue = (): string[] => sorted(named('none', 'alsoNone'));
const ordered = async (query: string): Promise<string[]> => matchIds(await search(t, `ServiceRequest?subject=Patient/sort-${u}&${query}`), true);

test('ascending: each order once, by its earliest start; ties by id; those without a value last', async () => {
  const expected = [...named('period', 'events'), ...sameDay(), ...named('startsTwice'), ...withoutValue()];
  expect(await ordered('_sort=occurrence')).toEqual(expected);
  // Two keys take the ordering by subquery: the same order.
  expect(await ordered('_sort=occurrence,_id')).toEqual(expected);
});

test('descending: by its latest end; ties, and those without a value, by id descending', async () => {
  const expected = [...named('period', 'events', 'startsTwice'), ...sameDay().reverse(), ...withoutValue().reverse()];
  expect(await ordered('_sort=-occurrence')).toEqual(expected);
  expect(await ordered('_sort=-occurrence,-_id')).toEqual(expected);
});

test('pages cut inside the valued orders, across the boundary and past it', async () => {
  const all = await ordered('_sort=-occurrence');
  expect(all).toHaveLength(7);
  for (const offset of [0, 2, 4, 5, 6, 7, 9]) {
    expect(await ordered(`_sort=-occurrence&_count=2&_offset=${offset}`)).toEqual(all.slice(offset, offset + 2));
  }
  const page = await search(t, `ServiceRequest?subject=Patient/sort-${u}&_sort=occurrence&_count=3&_offset=3&_total=accurate`);
  expect(page.total).toBe(7);
  expect(matchIds(page, true)).toEqual((await ordered('_sort=occurrence')).slice(3, 6));
});

test('other criteria still apply to the walk', async () => {
  expect(await ordered('_sort=occurrence&occurrence=ge2021-01-15')).toEqual([...named('period', 'events'), ...sameDay(), ...named('startsTwice')]);
  expect(await ordered(`_sort=-occurrence&_id=${named('none', 'day', 'events').join(',')}`)).toEqual([...named('events', 'day', 'none')]);
});

describe('by a string parameter', () => {
  const s = unique();
  const patients: Record<string, string> = {};
  beforeAll(async () => {
    const names: Record<string, { family?: string; given?: string[] }[]> = {
      alpha: [{ family: 'Alpha' }],
      beta: [{ family: 'Beta' }],
      betaAgain: [{ family: 'beta' }],
      accented: [{ family: 'Élan' }],
      twoNames: [{ family: 'Mbravo' }, { family: 'Zulu' }],
      twoAlike: [{ family: 'Twin' }, { family: 'twin' }],
      givenOnly: [{ given: ['Nofamily'] }],
    };
    for (const [key, name] of Object.entries(names)) {
      patients[key] = (await create(t, { resourceType: 'Patient', identifier: [{ system: 'urn:sort', value: s }], name })).id;
    }
  });
  const byFamily = async (query: string): Promise<string[]> => matchIds(await search(t, `Patient?identifier=urn:sort|${s}&${query}`), true);
  const of = (...keys: string[]): string[] => keys.map((key) => patients[key] as string);
  const betas = (): string[] => sorted(of('beta', 'betaAgain'));

  test('ascending by the smallest folded value, descending by the largest, ties by id in the same direction, no value last', async () => {
    const ascending = [...of('alpha'), ...betas(), ...of('accented', 'twoNames', 'twoAlike', 'givenOnly')];
    expect(await byFamily('_sort=family')).toEqual(ascending);
    expect(await byFamily('_sort=family,_id')).toEqual(ascending);
    const descending = [...of('twoNames', 'twoAlike', 'accented'), ...betas().reverse(), ...of('alpha', 'givenOnly')];
    expect(await byFamily('_sort=-family')).toEqual(descending);
    expect(await byFamily('_sort=-family,-_id')).toEqual(descending);
  });

  test('pages', async () => {
    const all = await byFamily('_sort=-family');
    for (const offset of [0, 3, 6, 7]) expect(await byFamily(`_sort=-family&_count=3&_offset=${offset}`)).toEqual(all.slice(offset, offset + 3));
  });
});

describe('by a parameter whose rows span several codes (name: its own rows, family, given)', () => {
  // A tenant of its own (closed with the app): with no other criterion, the sort walks every Patient of the tenant.
  let own: TestApp;
  const patients: Record<string, string> = {};
  beforeAll(async () => {
    own = await t.otherTenant();
    const names: Record<string, HumanName[] | undefined> = {
      // The same key under two codes (the name's text, its family): walked once.
      textAndFamily: [{ text: 'Alpha', family: 'Alpha' }],
      // Placed by its given name ascending, by its family descending.
      givenFirst: [{ family: 'Zed', given: ['Aaron'] }],
      // Ascending ties across codes: a given name and a family.
      givenBo: [{ given: ['Bo'] }],
      familyBo: [{ family: 'Bo' }],
      // Descending ties: both placed by the prefix, the largest of their rows.
      mister: [{ prefix: ['Mr.'], family: 'Kuhn' }],
      misterToo: [{ prefix: ['Mr.'], family: 'Lee' }],
      unnamed: undefined,
    };
    for (const [key, name] of Object.entries(names)) {
      patients[key] = (await create(own, { resourceType: 'Patient', identifier: [{ system: 'urn:sort-name', value: u }], name })).id;
    }
  });
  /** Walked (no criterion), and sorted (a criterion a probe finds every match of): the same order. */
  const byName = async (query: string): Promise<string[]> => {
    const walked = matchIds(await search(own, `Patient?${query}`), true);
    expect(matchIds(await search(own, `Patient?identifier=urn:sort-name|${u}&${query}`), true)).toEqual(walked);
    return walked;
  };
  const of = (...keys: string[]): string[] => keys.map((key) => patients[key] as string);

  test('each Patient once, by its smallest or largest row of any code; ties by id; the same order as the subquery', async () => {
    const ascending = [...of('givenFirst', 'textAndFamily'), ...sorted(of('givenBo', 'familyBo')), ...of('mister', 'misterToo', 'unnamed')];
    expect(await byName('_sort=name')).toEqual(ascending);
    expect(await byName('_sort=name,_id')).toEqual(ascending);
    const descending = [
      ...of('givenFirst'),
      ...sorted(of('mister', 'misterToo')).reverse(),
      ...sorted(of('givenBo', 'familyBo')).reverse(),
      ...of('textAndFamily', 'unnamed'),
    ];
    expect(await byName('_sort=-name')).toEqual(descending);
    expect(await byName('_sort=-name,-_id')).toEqual(descending);
  });

  test('pages', async () => {
    for (const sort of ['name', '-name']) {
      const all = await byName(`_sort=${sort}`);
      expect(all).toHaveLength(7);
      for (const offset of [0, 2, 3, 5, 6, 8]) expect(await byName(`_sort=${sort}&_count=2&_offset=${offset}`)).toEqual(all.slice(offset, offset + 2));
    }
  });
});
