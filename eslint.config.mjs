import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports one layer may not make: data flows http → (fhir | v1) → store; mappings and problems are pure. */
const forbid = (...groups) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns: groups }] });
const layer = (name, message, allowTypeImports = false) => ({ group: [`**/${name}`, `**/${name}/**`], message, allowTypeImports });
const pkg = (names, message) => ({ group: names, message });

const SQL = ['knex', 'pg', '@electric-sql/pglite', 'knex-pglite', 'ioredis'];
const HTTP = ['express'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // V8 kept what a per-object accessor's closure held alive past the next young-generation
    // collection: every page's rows went to the old generation (docs/performance.md, "Accessors
    // without closures"). A class's accessors live once, on its prototype.
    files: ['src/**/*.ts', 'mappings/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ObjectExpression > Property[kind=/^(get|set)$/]', message: 'no accessor in an object literal: use a class (docs/performance.md, "Accessors without closures")' },
        {
          selector: "CallExpression[callee.property.name=/^define(Property|Properties)$/] Property[key.name=/^(get|set)$/]",
          message: 'no accessor defined per object: use a class (docs/performance.md, "Accessors without closures")',
        },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: forbid(
      layer('http', 'src/store is the bottom layer: it may not import src/http'),
      layer('fhir', 'src/store is the bottom layer: FHIR semantics reach it as arguments (see Indexer)'),
      layer('v1', 'src/store is the bottom layer: it may not import src/v1'),
      layer('mappings', 'src/store is the bottom layer: it may not import mappings/'),
      pkg(HTTP, 'src/store speaks SQL, not HTTP'),
    ),
  },
  {
    files: ['src/fhir/**/*.ts'],
    rules: forbid(
      layer('http', 'src/fhir may not import src/http (imports flow http → fhir → store)'),
      layer('v1', 'src/fhir may not import src/v1'),
      pkg(HTTP, 'src/fhir is free of Express: handlers take a plain FhirRequest'),
      pkg(SQL, 'only src/store speaks SQL'),
    ),
  },
  {
    files: ['src/v1/**/*.ts'],
    rules: forbid(
      layer('http', 'src/v1 may not import src/http: use cases return replies, the http adapter sends them'),
      layer('store', 'src/v1 reaches stored resources only through FhirService', true),
      pkg(HTTP, 'src/v1 is free of Express: routes take a plain V1Request'),
      pkg(SQL, 'only src/store speaks SQL'),
    ),
  },
  {
    files: ['src/http/**/*.ts'],
    rules: forbid(layer('store', 'src/http wires no SQL: the bootstrap hands it what it needs', true), pkg(SQL, 'only src/store speaks SQL')),
  },
  {
    files: ['src/auth/**/*.ts'],
    rules: forbid(layer('http', 'src/auth may not import src/http: the http adapter calls it'), layer('v1', 'src/auth may not import src/v1'), pkg(HTTP, 'src/auth is free of Express')),
  },
  {
    files: ['src/junction/**/*.ts'],
    ignores: ['src/junction/sandbox/**/*.ts'],
    rules: forbid(
      layer('http', 'src/junction may not import src/http: the http adapter calls it'),
      { group: ['express'], message: 'src/junction is free of Express (only its sandbox is a server)', allowTypeImports: true },
    ),
  },
  {
    files: ['src/problems/**/*.ts'],
    rules: forbid(layer('src', 'src/problems is neutral: every layer imports it, it imports none'), { group: ['../*'], message: 'src/problems imports nothing above it' }, pkg([...HTTP, ...SQL], 'src/problems is neutral')),
  },
  {
    files: ['mappings/**/*.ts'],
    ignores: ['mappings/**/*.test.ts'],
    rules: forbid(layer('src', 'mappings/ is pure: it imports only types and small helpers of its own'), pkg([...HTTP, ...SQL], 'mappings/ is pure: no I/O')),
  },
);
