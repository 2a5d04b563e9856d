/** Baseline: node:http + pg Pool(10), `GET /Patient/:id` reads one jsonb row by primary key. */
import pg from 'pg';
import { baselineTable, serveBaseline } from './minimal-http';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const sql = `SELECT resource FROM ${baselineTable()} WHERE id = $1`;

serveBaseline(async (method, url) => {
  const id = /^\/Patient\/([0-9a-f-]{36})$/.exec(url)?.[1];
  if (method !== 'GET' || !id) return { status: 404, json: '{}' };
  const { rows } = await pool.query<{ resource: unknown }>(sql, [id]);
  return rows[0] ? { status: 200, json: JSON.stringify(rows[0].resource) } : { status: 404, json: '{}' };
});
