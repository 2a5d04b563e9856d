import { onMaintenanceConnection } from '../../src/store/maintenance-connection';
import { statementsDuring } from '../helpers/statements';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

test('a maintenance step’s statements are not counted among the statements a test watches; the app’s own are', async () => {
  const seen = await statementsDuring(
    t,
    (sql) => sql.includes('search_token'),
    async () => {
      await onMaintenanceConnection(t.knex, (sql) => sql('ANALYZE search_token'));
      await t.knex.raw('SELECT count(*) FROM search_token WHERE false');
    },
  );
  expect(seen.map((statement) => statement.sql)).toEqual(['SELECT count(*) FROM search_token WHERE false']);
});
