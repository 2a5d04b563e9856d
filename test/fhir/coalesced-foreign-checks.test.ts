import { randomUUID } from 'node:crypto';
import { OperationOutcomeError } from '../../src/problems/outcomes';
import { checksForeignTargets, orderFor } from '../helpers/reference-checks';
import { statementsDuring } from '../helpers/statements';
import { startTwoTenants, type TestApp } from '../helpers/test-app';

let t: TestApp;
let other: TestApp;
beforeAll(async () => ({ t, other } = await startTwoTenants()));
afterAll(() => t.close());

/**
 * A write's references are checked against other tenants' resources before it is stored; the
 * checks of one turn go as one statement per tenant, and each write is answered for its own
 * references only: one request's foreign target refuses that request, not the others of its turn.
 */
test('the reference checks of one turn are one statement per tenant, each write refused only for its own targets', async () => {
  const ours = await Promise.all([1, 2, 3].map(() => t.service().create({ resourceType: 'Patient', name: [{ family: `Own${randomUUID().slice(0, 6)}` }] })));
  const theirs = await other.service().create({ resourceType: 'Patient', name: [{ family: 'Foreign' }] });
  const theirPatient = theirs.resource.id!;
  const service = t.service();
  const otherService = other.service();
  let outcomes: PromiseSettledResult<unknown>[] = [];
  const statements = await statementsDuring(t, checksForeignTargets, async () => {
    outcomes = await Promise.allSettled([
      ...ours.map((patient) => service.create(orderFor(patient.resource.id!))),
      service.create(orderFor(theirPatient)),
      otherService.create(orderFor(theirPatient)),
    ]);
  });
  expect(statements).toHaveLength(2);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  const refusal = (outcomes[3] as PromiseRejectedResult).reason as OperationOutcomeError;
  expect(refusal).toBeInstanceOf(OperationOutcomeError);
  expect(refusal.outcome.kind).toBe('unprocessable');
  expect(refusal.message).toBe(`Patient/${theirPatient} is not a resource of this tenant and cannot be referenced`);
});
