import { median } from '../report';
import { entity } from './keys';
import type { ScaleSearch } from './searches';

export interface SearchFigures {
  name: string;
  /** A /v1 list, not one of the goal's FHIR searches. */
  v1?: boolean;
  patients: number;
  requests: number;
  /** The first request of this search right after the load: where a stale-statistics cliff shows. */
  firstMs: number;
  p50: number;
  p95: number;
  p99: number;
  maxMs: number;
  /** Median `match` entries per answer. */
  matches: number;
  /** Answers other than 200, or with no match where the data holds one. */
  errors: number;
}

/**
 * One request at a time, the searches interleaved (A B C …, A B C …) so that the first round
 * runs right after the load and any slow start shows on every search alike; each request
 * draws its own Patient among the `patients` loaded. Latency is from sending to the last byte.
 */
export async function measureSearches(
  serverUrl: string,
  apiKey: string,
  searches: readonly ScaleSearch[],
  patients: number,
  rounds: number,
): Promise<SearchFigures[]> {
  const random = entity('SearchDraws', patients).random;
  const headers = { authorization: `Bearer ${apiKey}`, accept: 'application/fhir+json' };
  const samples = searches.map(() => ({ latencies: [] as number[], matches: [] as number[], errors: 0 }));
  // The load left no idle connection open: open one, so that the first search does not pay for it.
  await fetch(new URL('/healthz', serverUrl)).then((res) => res.arrayBuffer());
  for (let round = 0; round < rounds; round++) {
    for (const [k, search] of searches.entries()) {
      const url = `${serverUrl}${search.v1 ? '' : '/fhir/R4'}${search.path(Math.floor(random() * patients))}`;
      const started = performance.now();
      const res = await fetch(url, { headers: search.v1 ? { ...headers, accept: 'application/json' } : headers });
      const text = await res.text();
      const ms = performance.now() - started;
      const sample = samples[k]!;
      const matches = res.status === 200 ? matchesIn(text) : 0;
      sample.latencies.push(ms);
      sample.matches.push(matches);
      if (matches === 0) {
        sample.errors++;
        if (sample.errors === 1) console.error(`    ${search.name}: ${res.status} with ${matches} matches for ${url}\n    ${text.slice(0, 300)}`);
      }
    }
  }
  return searches.map((search, k) => {
    const { latencies, matches, errors } = samples[k]!;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      name: search.name,
      ...(search.v1 ? { v1: true } : {}),
      patients,
      requests: latencies.length,
      firstMs: round1(latencies[0] ?? 0),
      p50: round1(percentile(sorted, 0.5)),
      p95: round1(percentile(sorted, 0.95)),
      p99: round1(percentile(sorted, 0.99)),
      maxMs: round1(sorted[sorted.length - 1] ?? 0),
      matches: median(matches),
      errors,
    };
  });
}

/** A Bundle's `match` entries, or what a /v1 list lists. */
function matchesIn(answer: string): number {
  const { entry, data } = JSON.parse(answer) as { entry?: Array<{ search?: { mode?: string } }>; data?: unknown[] };
  return data?.length ?? (entry ?? []).filter((e) => e.search?.mode === 'match').length;
}

/** Nearest rank: the smallest latency with at least `q` of the requests at or below it. */
const percentile = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
const round1 = (n: number): number => Math.round(n * 10) / 10;
