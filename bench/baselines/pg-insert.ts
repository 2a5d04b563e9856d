/** Baseline: node:http + pg Pool(10), `POST /Patient` parses the body and inserts it durably (synchronous commit), 201. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { baselineTable, serveBaseline } from './minimal-http';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const sql = `INSERT INTO ${baselineTable()} (id, resource) VALUES ($1, $2)`;

serveBaseline(async (method, url, body) => {
  if (method !== 'POST' || url !== '/Patient') return { status: 404, json: '{}' };
  const resource = { ...(JSON.parse(body) as Record<string, unknown>), id: randomUUID() };
  await pool.query(sql, [resource.id, resource]);
  return { status: 201, json: JSON.stringify(resource) };
});
