/**
 * A parameter, modifier or feature this server does not serve: a 400, or ignored (and
 * reported) under `Prefer: handling=lenient`. Malformed values are plain 400s instead.
 */
export class UnsupportedParam extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnsupportedParam';
  }
}

export function unsupported(param: string, message: string): never {
  throw new UnsupportedParam(param, message);
}
