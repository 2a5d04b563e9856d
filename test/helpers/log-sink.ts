import { Writable } from 'node:stream';

/** A log destination that keeps each line written in `into`. */
export const sinkInto = (into: string[]): Writable =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(chunk.toString());
      done();
    },
  });

/** The lines kept, parsed. */
export const parsedLines = <Line = Record<string, unknown>>(lines: readonly string[]): Line[] => lines.map((line) => JSON.parse(line) as Line);
