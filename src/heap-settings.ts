import { setFlagsFromString } from 'node:v8';

/**
 * V8's garbage collector, set for a server that takes writes and reads for as long as it runs.
 * Set first thing at start-up: set at run time, each was measured to act as on the command line.
 *
 * - The old generation grows by half at most before the next full collection. By default V8 lets
 *   it grow to several times what survived the last one: under write load the server's heap,
 *   ~40 MB live, reached 400 MB of RSS between collections; bounded, its peak stays near 250 MB
 *   at no measurable cost in throughput.
 * - No allocation-site pretenuring. V8 makes an allocation site whose objects mostly survive
 *   allocate straight into the old generation. After the benchmark's seeding through transaction
 *   Bundles, whose objects live as long as the Bundle, every later read cost the server 40% more
 *   CPU (scavenges twice as long, full collections 2.5× as often) for as long as it ran; without
 *   pretenuring, reads cost what they cost on a server that took no writes, and creates no more.
 *
 * Measured in docs/performance-history.md ("Transactions in one batch, a bounded heap, one route lookup";
 * "Reads after writes: no pretenuring").
 */
export function applyHeapSettings(): void {
  setFlagsFromString('--heap-growing-percent=50');
  setFlagsFromString('--no-allocation-site-pretenuring');
}
