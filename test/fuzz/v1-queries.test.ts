import fc from 'fast-check';
import { expectSchema } from '../helpers/schema-assert';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { check, exchange } from './exchange';
import { NUMBER_TEXTS, oddString } from './odd-values';
import { expectAlive, expectNo5xx, expectV1Error, queryTargets } from './properties';
import { oddName, query, searchValue, written } from './query-strings';
import { fuzzParams, timeoutFor } from './settings';

/* The /v1 list route's query string: GET /v1/clinician-profiles (and its /api-v1 alias), seed 004. */

let t: TestApp;
const locationIds: string[] = [];
beforeAll(async () => {
  t = await startTestApp();
  for (const [family, given, active] of [
    ['Johnson', 'Sarah', true],
    ['Smith', 'Zoë', false],
    ['李', '小龍', true],
  ] as const) {
    const practitioner = await t.http.post(`${FHIR_BASE}/Practitioner`).send({ resourceType: 'Practitioner', active, name: [{ family, given: [given] }] });
    const role = await t.http
      .post('/v1/practitioner-roles')
      .send({ practitionerId: practitioner.body.id, role: 'doctor', locationName: `Clinic ${family}`, organizationName: 'Fuzz Health' });
    expect(role.status).toBe(201);
    const location = await t.http.get(`${FHIR_BASE}/Location?name:exact=${encodeURIComponent(`Clinic ${family}`)}`);
    locationIds.push(location.body.entry[0].resource.id as string);
  }
});
afterAll(() => t.close());
afterEach(() => expectAlive(t));

/** The documented parameters, ones other list APIs use, and odd names. */
const name = written(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('limit', 'offset', 'is_active', 'is_bookable_online', 'location_id', 'search') },
    fc.constantFrom('cursor', 'page', 'sort', 'status', 'per_page', 'limit[]', 'search[$ne]'),
    oddName,
  ),
);

const value = written(
  fc.oneof(
    fc.constantFrom(
      '1',
      '20',
      '100',
      '101',
      '0',
      '-1',
      '-0',
      'abc',
      '1.5',
      '1e2',
      ' 1',
      '0x10',
      '99999999999999999999',
      '9007199254740993',
      'true',
      'false',
      'TRUE',
      'yes',
      '',
    ),
    fc.constantFrom(...NUMBER_TEXTS),
    fc.uuid(),
    fc.constantFrom('Sarah', 'zoë', '李', 'Clinic', 'johnson sarah', 'example.nhs.uk', '%', '_', '\\'),
    fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 15 }).map((words) => words.join(' ')),
    searchValue,
    oddString,
  ),
);

test(
  'GET /v1/clinician-profiles: never a 5xx; a 200 is the documented list; a 4xx is the documented error naming a parameter',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/clinician-profiles', '/api-v1/clinician-profiles'),
        query(name, value),
        fc.option(fc.constantFrom(...locationIds), { freq: 4 }),
        async (path, q, location) => {
          const text = location === null ? q.text : `${q.text}&location_id=${location}`;
          const ex = await exchange(t.http, { method: 'get', path: `${path}?${text}` });
          expectNo5xx(ex);
          if (ex.status >= 400) {
            expectV1Error(ex, 'clinician-profiles', queryTargets({ names: [...q.names, 'location_id'], pairs: q.pairs }));
            return;
          }
          try {
            expectSchema(ex.body, 'clinician-profiles.list');
          } catch (err) {
            check(false, (err as Error).message, ex);
          }
        },
      ),
      fuzzParams(2),
    );
  },
  timeoutFor(2),
);
