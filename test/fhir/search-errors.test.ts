import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { create, get, matchIds, search, unique } from './search/fixtures';

let t: TestApp;
const u = unique();
let patient: string;

beforeAll(async () => {
  t = await startTestApp();
  patient = (
    await create(t, { resourceType: 'Patient', name: [{ family: `Err${u}` }], birthDate: '1980-01-01', identifier: [{ system: 'http://x', value: u }] })
  ).id;
});
afterAll(() => t.close());

describe('malformed or unknown parameters answer 400 naming the parameter', () => {
  test.each([
    ['an unknown parameter', 'foo=bar', 'foo'],
    ['a bad date', 'birthdate=1990-13-01', 'birthdate'],
    ['an impossible day', 'birthdate=2021-02-30', 'birthdate'],
    ['an unknown prefix', 'birthdate=xx1990', 'birthdate'],
    ['an unsupported modifier', 'family:below=x', 'family:below'],
    ['an unsupported token modifier', 'gender:in=x', 'gender:in'],
    ['a :Type the reference cannot point at', 'organization:Location=1', 'organization:Location'],
    ['a :missing that is not a boolean', 'family:missing=maybe', 'family:missing'],
    ['a chain of two levels', 'general-practitioner.organization.name=x', 'general-practitioner.organization.name'],
    ['a chain on a non-reference', 'family.name=x', 'family.name'],
    ['a chain to an unknown parameter', 'organization.nope=x', 'organization.nope'],
    ['_sort on an unknown parameter', '_sort=nope', '_sort'],
    ['a non-integer _count', '_count=ten', '_count'],
    ['a negative _count', '_count=-1', '_count'],
    ['a bad _total', '_total=maybe', '_total'],
    ['a bad _summary', '_summary=yes', '_summary'],
    ['an _include of a non-reference', '_include=Patient:name', '_include'],
    ['an _include of an unknown type', '_include=Nope:subject', '_include'],
    ['a bad _elements name', '_elements=name.given', '_elements'],
    ['an unsupported parameter', '_has:Observation:patient:code=x', '_has:Observation:patient:code'],
    ['only empty alternatives', 'family=,', 'family'],
  ])('%s', async (_title, query, expression) => {
    const res = await get(t, `Patient?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].expression).toEqual([expression]);
  });
});

describe('Prefer: handling=lenient', () => {
  test('ignores unknown parameters and says so in an outcome entry', async () => {
    const res = await t.http.get(`${FHIR_BASE}/Patient?family=err${u}&foo=bar&_sort=nope`).set('prefer', 'handling=lenient').expect(200);
    expect(matchIds(res.body)).toEqual([patient]);
    const outcome = res.body.entry.find((e: { search?: { mode?: string } }) => e.search?.mode === 'outcome');
    expect(outcome.resource.resourceType).toBe('OperationOutcome');
    expect(outcome.resource.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual(['foo', '_sort']);
    expect(res.body.link.find((l: { relation: string }) => l.relation === 'self').url).toContain('foo=bar');
  });

  test('still rejects malformed values', async () => {
    const res = await t.http.get(`${FHIR_BASE}/Patient?birthdate=ge19xx`).set('prefer', 'handling=lenient');
    expect(res.status).toBe(400);
  });
});

describe('injection strings never reach SQL as code', () => {
  test.each([
    `name=${encodeURIComponent("' OR '1'='1")}`,
    `family=${encodeURIComponent("x' OR 1=1 --")}`,
    'family=%00',
    'family=%25',
    'family=_',
    `_sort=${encodeURIComponent('name;DROP TABLE resources')}`,
    `birthdate=${encodeURIComponent("ge1900-01-01'--")}`,
    'identifier[$ne]=x',
    'identifier[a][b]=x',
    'family[]=a&family[]=b',
    `_id=${encodeURIComponent("1' OR '1'='1")}`,
    `identifier=${encodeURIComponent("http://x|' OR 1=1--")}`,
    `organization=${encodeURIComponent('Organization/1;DELETE FROM resources')}`,
    `_include=${encodeURIComponent("Patient:organization' --")}`,
    `_elements=${encodeURIComponent('id);DROP TABLE x')}`,
    `_count=${encodeURIComponent('1;DROP TABLE x')}`,
    `birthdate=${encodeURIComponent('9999-12-31T23:59:59-05:00')}`,
    `_id=${Array.from({ length: 150 }, (_, i) => i).join(',')}`,
  ])('%s', async (query) => {
    const res = await get(t, `Patient?${query}`);
    expect([200, 400]).toContain(res.status);
    if (res.status === 200) expect(matchIds(res.body)).toEqual([]);
    expect(JSON.stringify(res.body)).not.toMatch(/select |syntax error|relation "/i);
  });

  test('the data is intact afterwards', async () => {
    expect(matchIds(await search(t, `Patient?family=err${u}`))).toEqual([patient]);
  });

  test('a POST _search body with nested fields is a 400', async () => {
    const res = await t.http.post(`${FHIR_BASE}/Patient/_search`).type('form').send('identifier[$ne]=x');
    expect(res.status).toBe(400);
  });
});

test('an empty value is ignored', async () => {
  expect(matchIds(await search(t, `Patient?family=err${u}&given=`))).toEqual([patient]);
});
