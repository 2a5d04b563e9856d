import { isOperationOutcomeError, type OperationOutcomeError } from '../../../src/problems/outcomes';
import { parseSearch } from '../../../src/fhir/search/parse';
import { dateValue, numberValue, referenceValue, splitValues, tokenValue } from '../../../src/fhir/search/parse-values';

/** The 400's expression, or fails when parsing succeeds. */
function rejection(fn: () => unknown): string[] | undefined {
  try {
    fn();
  } catch (err) {
    if (!isOperationOutcomeError(err)) throw err;
    const { outcome } = err as OperationOutcomeError;
    expect(outcome.kind).toBe('badRequest');
    return outcome.resource.issue?.[0]?.expression;
  }
  throw new Error('expected a 400');
}

describe('values', () => {
  test('commas split, escaped commas do not', () => {
    expect(splitValues('a,b\\,c,')).toEqual(['a', 'b\\,c', '']);
  });

  test('tokens: code, system|code, |code, system|, escaped bars', () => {
    expect(tokenValue('x')).toEqual({ type: 'token', code: 'x' });
    expect(tokenValue('http://s|x')).toEqual({ type: 'token', system: 'http://s', code: 'x' });
    expect(tokenValue('|x')).toEqual({ type: 'token', system: null, code: 'x' });
    expect(tokenValue('http://s|')).toEqual({ type: 'token', system: 'http://s', code: undefined });
    expect(tokenValue('a\\|b')).toEqual({ type: 'token', code: 'a|b' });
  });

  test('references: Type/id, bare id, :Type, local and remote absolute URLs', () => {
    const base = 'https://h/fhir/R4';
    expect(referenceValue('Patient/1', base)).toEqual({ type: 'reference', targetType: 'Patient', id: '1' });
    expect(referenceValue('1', base)).toEqual({ type: 'reference', targetType: undefined, id: '1' });
    expect(referenceValue('1', base, 'Patient')).toEqual({ type: 'reference', targetType: 'Patient', id: '1' });
    expect(referenceValue(`${base}/Patient/1/_history/2`, base)).toEqual({ type: 'reference', targetType: 'Patient', id: '1' });
    // Compared as written, narrowed to the rows whose target columns the same text gives.
    expect(referenceValue('https://other/fhir/Patient/1', base)).toEqual({
      type: 'reference',
      reference: 'https://other/fhir/Patient/1',
      targetType: 'Patient',
      id: '1',
    });
    expect(referenceValue('Patient/1', base, 'Group')).toEqual({ type: 'reference', reference: 'Patient/1', targetType: 'Group', id: '1' });
    expect(referenceValue('urn:uuid:5b9a1c34-0b61-4d52-9d1e-0f6c2d3a4b5c', base)).toEqual({
      type: 'reference',
      reference: 'urn:uuid:5b9a1c34-0b61-4d52-9d1e-0f6c2d3a4b5c',
      targetType: undefined,
      id: null,
    });
  });

  test('dates keep their precision as a UTC range', () => {
    expect(dateValue('ge2020-02', 'd')).toEqual({ type: 'date', prefix: 'ge', low: '2020-02-01T00:00:00.000Z', high: '2020-02-29T23:59:59.999Z' });
    expect(dateValue('2020-01-01T10:00', 'd')).toMatchObject({ prefix: 'eq', low: '2020-01-01T10:00:00.000Z', high: '2020-01-01T10:00:59.999Z' });
    expect(dateValue('lt2020-01-01T00:00:00+02:00', 'd')).toMatchObject({ prefix: 'lt', low: '2019-12-31T22:00:00.000Z' });
    expect(rejection(() => dateValue('2020-02-30', 'birthdate'))).toEqual(['birthdate']);
    expect(rejection(() => dateValue('zz2020', 'birthdate'))).toEqual(['birthdate']);
    expect(rejection(() => dateValue('ge', 'birthdate'))).toEqual(['birthdate']);
  });

  test('numbers carry half a unit of their last digit', () => {
    expect(numberValue('100', 'n')).toEqual({ type: 'number', prefix: 'eq', value: '100', half: '5e-1' });
    expect(numberValue('gt0.25', 'n')).toEqual({ type: 'number', prefix: 'gt', value: '0.25', half: '5e-3' });
    expect(numberValue('1e2', 'n')).toMatchObject({ value: '1e2', half: '5e1' });
    expect(rejection(() => numberValue('ten', 'n'))).toEqual(['n']);
    expect(rejection(() => numberValue('1e5000', 'n'))).toEqual(['n']);
  });
});

describe('parseSearch', () => {
  test('repeated names AND, commas OR', () => {
    const parsed = parseSearch('Patient', { family: ['a,b', 'c'] });
    expect(parsed.criteria).toEqual([
      {
        kind: 'index',
        table: 'string',
        codes: ['family'],
        values: [
          { type: 'string', match: 'start', text: 'a' },
          { type: 'string', match: 'start', text: 'b' },
        ],
      },
      { kind: 'index', table: 'string', codes: ['family'], values: [{ type: 'string', match: 'start', text: 'c' }] },
    ]);
  });

  test('string modifiers normalize except :exact', () => {
    const [exact, contains] = parseSearch('Patient', { 'family:exact': 'Ñu', 'given:contains': 'Ñu' }).criteria;
    expect(exact).toMatchObject({ values: [{ match: 'exact', text: 'Ñu' }] });
    expect(contains).toMatchObject({ values: [{ match: 'contains', text: 'nu' }] });
  });

  test('a whole HumanName or Address reads the rows of the parts that have parameters of their own', () => {
    const [name, phonetic, address, family] = parseSearch('Patient', { name: 'a', phonetic: 'a', address: 'a', family: 'a' }).criteria;
    expect(name).toMatchObject({ codes: ['name', 'family', 'given'] });
    expect(phonetic).toMatchObject({ codes: ['name', 'family', 'given'] });
    expect(address).toMatchObject({ codes: ['address', 'address-city', 'address-state', 'address-postalcode', 'address-country'] });
    expect(family).toMatchObject({ codes: ['family'] });
    expect(parseSearch('Organization', { name: 'a' }).criteria[0]).toMatchObject({ codes: ['name'] });
  });

  test('token :not and :text, :missing', () => {
    const [not, text, missing] = parseSearch('Patient', { 'gender:not': 'male', 'identifier:text': 'MRN', 'birthdate:missing': 'true' }).criteria;
    expect(not).toMatchObject({ kind: 'index', negate: true });
    expect(text).toMatchObject({ values: [{ type: 'tokenText', text: 'mrn' }] });
    expect(missing).toEqual({ kind: 'missing', table: 'date', codes: ['birthdate'], missing: true });
  });

  test('_id and _lastUpdated are columns', () => {
    const [id, updated] = parseSearch('Patient', { _id: 'a,b', _lastUpdated: 'gt2020' }).criteria;
    expect(id).toEqual({ kind: 'id', ids: ['a', 'b'] });
    expect(updated).toMatchObject({ kind: 'lastUpdated', values: [{ prefix: 'gt' }] });
  });

  test('a chain without a type modifier spans every stored target type that has the parameter', () => {
    const [chain] = parseSearch('ServiceRequest', { 'subject.name': 'x' }).criteria;
    // An order's references to Patients are `patient` rows, the others `subject` rows (index-codes.ts).
    const targets = (chain as { targets: { type: string; codes: readonly string[] }[] }).targets;
    expect(targets.map((t) => `${t.type}: ${t.codes.join(', ')}`).sort()).toEqual(['Location: subject', 'Patient: patient']);
    expect([...(chain as { codes: readonly string[] }).codes].sort()).toEqual(['patient', 'subject']);
    const [typed] = parseSearch('ServiceRequest', { 'subject:Patient.family': 'x' }).criteria;
    expect((typed as { targets: { type: string }[] }).targets.map((t) => t.type)).toEqual(['Patient']);
  });

  test('controls: paging, _sort, _total, _summary, _elements, includes', () => {
    const parsed = parseSearch('PractitionerRole', {
      _count: '5',
      _offset: '10',
      _sort: '-date,_id',
      _total: 'none',
      _elements: 'code,active',
      _include: 'PractitionerRole:practitioner',
      '_revinclude:iterate': 'ServiceRequest:requester:PractitionerRole',
    });
    expect(parsed).toMatchObject({ count: 5, offset: 10, total: 'none', countTotal: false, elements: ['code', 'active'] });
    expect(parsed.sort).toEqual([
      { on: 'date', codes: ['date'], descending: true },
      { on: 'id', codes: ['_id'], descending: false },
    ]);
    expect(parsed.include).toEqual([
      { reverse: false, sourceType: 'PractitionerRole', codes: ['practitioner'], targetType: undefined, iterate: false },
      { reverse: true, sourceType: 'ServiceRequest', codes: ['requester'], targetType: 'PractitionerRole', iterate: true },
    ]);
  });

  test('_summary=count counts and returns no entries; _count is capped', () => {
    expect(parseSearch('Patient', { _summary: 'count', _total: 'none' })).toMatchObject({ count: 0, countTotal: true });
    expect(parseSearch('Patient', { _count: '100000' }).count).toBe(1000);
    expect(parseSearch('Patient', {}).count).toBe(20);
  });

  test('unknown parameters are a 400, or ignored and reported when lenient', () => {
    expect(rejection(() => parseSearch('Patient', { nope: '1' }))).toEqual(['nope']);
    const lenient = parseSearch('Patient', { nope: '1', 'family:below': 'x', family: 'y' }, { lenient: true });
    expect(lenient.ignored.map((i) => i.param)).toEqual(['nope', 'family:below']);
    expect(lenient.criteria).toHaveLength(1);
  });

  test('nested values and NUL characters are a 400', () => {
    expect(rejection(() => parseSearch('Patient', { identifier: { $ne: 'x' } }))).toEqual(['identifier']);
    expect(rejection(() => parseSearch('Patient', { family: ['a', { b: 'c' }] }))).toEqual(['family']);
    expect(rejection(() => parseSearch('Patient', { family: 'a\u0000' }))).toEqual(['family']);
  });
});
