import type { OperationOutcome, Parameters, ParametersParameter } from '@medplum/fhirtypes';

/** A rejected resource as the report file holds it: one JSON object a line. */
export interface RejectedLine {
  file: string;
  line: number;
  entry?: number;
  resource?: string;
  reason: string;
}

export interface ImportTotals {
  created: number;
  updated: number;
  unchanged: number;
  skipped: Record<string, number>;
  rejected: number;
}

export const emptyTotals = (): ImportTotals => ({ created: 0, updated: 0, unchanged: 0, skipped: {}, rejected: 0 });

/** Adds one `$import` answer to the totals; returns its rejected resources with file line numbers. */
export function addAnswer(totals: ImportTotals, answer: Parameters, file: string, firstLine: number): RejectedLine[] {
  const rejected: RejectedLine[] = [];
  for (const p of answer.parameter ?? []) {
    if (p.name === 'created' || p.name === 'updated' || p.name === 'unchanged') totals[p.name] += p.valueInteger ?? 0;
    if (p.name === 'skipped') {
      const type = part(p, 'type')?.valueCode ?? 'unknown';
      totals.skipped[type] = (totals.skipped[type] ?? 0) + (part(p, 'count')?.valueInteger ?? 0);
    }
    if (p.name === 'rejected') {
      totals.rejected++;
      rejected.push({
        file,
        line: firstLine - 1 + (part(p, 'line')?.valueInteger ?? 1),
        entry: part(p, 'entry')?.valueInteger,
        resource: part(p, 'resource')?.valueString,
        reason: reasonOf(part(p, 'outcome')?.resource as OperationOutcome | undefined),
      });
    }
  }
  return rejected;
}

/** How many resources an answer accounts for, loaded or not. */
export const resourcesIn = (t: ImportTotals): number => t.created + t.updated + t.unchanged + t.rejected + Object.values(t.skipped).reduce((a, b) => a + b, 0);

export function summaryLine(t: ImportTotals, seconds: number): string {
  const skipped = Object.entries(t.skipped)
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  const loaded = t.created + t.updated + t.unchanged;
  return [
    `${loaded} loaded (${t.created} created, ${t.updated} updated, ${t.unchanged} unchanged)`,
    `${t.rejected} rejected`,
    `${Object.values(t.skipped).reduce((a, b) => a + b, 0)} skipped${skipped ? ` (${skipped})` : ''}`,
    `in ${seconds.toFixed(1)} s (${Math.round(resourcesIn(t) / Math.max(seconds, 0.001))} resources/s)`,
  ].join(', ');
}

const part = (p: ParametersParameter, name: string): ParametersParameter | undefined => p.part?.find((x) => x.name === name);

function reasonOf(outcome: OperationOutcome | undefined): string {
  return (outcome?.issue ?? []).map((i) => [i.expression?.join(', '), i.details?.text ?? i.diagnostics].filter(Boolean).join(': ')).join('; ') || 'rejected';
}
