import type { LoadSpec } from './spec';

/** A Lua string literal in long brackets whose level does not occur in the text. */
function luaString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  return `[${level}[\n${text}]${level}]`;
}

function luaTable(values: Record<string, string>): string {
  return `{${Object.entries(values)
    .map(([k, v]) => `[ ${luaString(k)} ] = ${luaString(v)}`)
    .join(', ')}}`;
}

/**
 * The wrk script for a spec: requests in rotation with `@SEQ@` filled in, optional CRUD chains
 * (which need one connection per thread: wrk keeps script state per thread), and a `done`
 * that prints the summary as one JSON line.
 */
export function wrkScript(spec: LoadSpec, runTag: string): string {
  const requests = spec.requests
    .map(
      (r) =>
        `{ method = ${luaString(r.method)}, path = ${luaString(r.path)}, body = ${r.body === undefined ? 'nil' : luaString(r.body)}, headers = ${luaTable(r.headers ?? {})} }`,
    )
    .join(',\n');
  return `
local requests = {
${requests}
}
local common = ${luaTable(spec.headers)}
local chains = ${spec.crudChains ? 'true' : 'false'}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter, next_index = 0, 0
local step, location, last_body = 0, nil, nil

local function headers_of(extra, seq)
  local h = {}
  for k, v in pairs(common) do h[k] = v end
  for k, v in pairs(extra) do h[k] = seq and v:gsub("@SEQ@", seq) or v end
  return h
end

local function fresh(r)
  counter = counter + 1
  local seq = ${luaString(runTag)} .. "-" .. tostring(tid) .. "-" .. tostring(counter)
  local path = r.path:gsub("@SEQ@", seq)
  local body = r.body and r.body:gsub("@SEQ@", seq) or nil
  return path, body, seq
end

function request()
  if step == 0 then
    next_index = next_index % #requests + 1
    local r = requests[next_index]
    local path, body, seq = fresh(r)
    last_body = body
    return wrk.format(r.method, path, headers_of(r.headers, seq), body)
  elseif step == 1 then
    return wrk.format("GET", location, headers_of({}))
  elseif step == 2 then
    local id = location:match("/([^/]+)$")
    return wrk.format("PUT", location, headers_of({}), '{"id":"' .. id .. '",' .. last_body:sub(2))
  else
    return wrk.format("DELETE", location, headers_of({}))
  end
end

if chains then
  function response(status, headers, body)
    if step == 0 then
      local loc = headers["Location"] or headers["location"]
      location = loc and loc:match("^https?://[^/]+(/.-)/_history/")
      if status == 201 and location then step = 1 end
    elseif step == 3 then
      step = 0
    else
      step = step + 1
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;
}
