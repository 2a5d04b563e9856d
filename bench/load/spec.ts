/** What a load generator sends, independent of which one sends it. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query; `@SEQ@` (here, in the body and in header values) becomes a value unique in the run, the same everywhere in one request. */
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface LoadSpec {
  /** Sent in rotation. */
  requests: RequestSpec[];
  /**
   * Each request is a FHIR create; every connection then reads, updates and deletes what it
   * created (from the Location header) before its next create: four requests per chain.
   */
  crudChains?: boolean;
  /** Headers on every request (authorization, content type). */
  headers: Record<string, string>;
}

export interface LoadRun {
  baseUrl: string;
  seconds: number;
  connections: number;
  /** Makes `@SEQ@` values unique across runs of the same spec. */
  runTag: string;
}

/** One measurement. Latencies in milliseconds. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Socket errors, timeouts and responses with status ≥ 400. */
  errors: number;
}

export interface LoadGenerator {
  name: string;
  version: string;
  run(spec: LoadSpec, run: LoadRun): Promise<LoadResult>;
}
