import { synthea } from '../helpers/synthea';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { downloadAll, exportGate, idsOf, importSynthea, kickOff, pollUntilDone, type Manifest } from '../helpers/bulk-export';

const gate = exportGate();
let t: TestApp;
beforeAll(async () => {
  // Pages of 3, and a run that makes no progress for a second counts as dead.
  t = await startTestApp({ hooks: [gate.hook], env: { BULK_EXPORT_PAGE_SIZE: '3', BULK_EXPORT_LEASE_SECONDS: '1' } });
  await importSynthea(t);
});
afterAll(async () => {
  gate.release();
  await t.close();
});

test('an export whose run stalls (its process died) is resumed from its cursor elsewhere; every resource is exported once', async () => {
  const patients = idsOf(synthea('Patient'));
  gate.hold(3); // the kick-off's check of Patient and two pages; the third page never comes back
  let second: TestApp | undefined;
  try {
    const status = await kickOff(t, '/$export?_type=Patient');
    await gate.reached;
    expect((await t.http.get(status)).headers['x-progress']).toBe('6 resources exported; now Patient (type 1 of 1)');
    // Another server instance starts after the lease has run out: the first sweep takes the export over.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    second = await t.sameTenantInstance();
    const done = await pollUntilDone(second, status);
    expect(done.status).toBe(200);
    const manifest = done.body as Manifest;
    expect(manifest.output).toEqual([expect.objectContaining({ type: 'Patient', count: patients.length })]);
    expect(idsOf((await downloadAll(second, manifest)).Patient)).toEqual(patients);

    // The stalled run wakes up: it no longer holds the export, so it writes nothing.
    gate.release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await pollUntilDone(t, status);
    expect(after.body).toMatchObject({ output: [{ type: 'Patient', count: patients.length }] });
    expect(idsOf((await downloadAll(t, after.body as Manifest)).Patient)).toEqual(patients);
  } finally {
    gate.release();
    await second?.close();
  }
});
