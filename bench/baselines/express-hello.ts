/** Baseline: Express 5 answering every `GET /Patient/:id` with one fixed Patient. */
import express from 'express';

const patient = { resourceType: 'Patient', id: 'fixed', name: [{ family: 'Kuhn', given: ['Ava'] }], gender: 'female', birthDate: '1980-01-01' };
const app = express();
app.get('/healthz', (_req, res) => {
  res.json({});
});
app.get('/Patient/:id', (_req, res) => {
  res.json(patient);
});
// Served as a plain Express app is (not through httpServerFor): the yardstick is Express as most apps run it.
app.listen(Number(process.env.PORT), '127.0.0.1');
