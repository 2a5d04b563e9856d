/** The part of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      body?: string;
      headers?: Record<string, string>;
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
      onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
    }
    interface Options {
      url: string;
      connections: number;
      duration: number;
      timeout?: number;
      headers?: Record<string, string>;
      requests: Request[];
    }
    interface Result {
      requests: { total: number };
      duration: number;
      errors: number;
      timeouts: number;
      '4xx': number;
      '5xx': number;
    }
    interface Instance {
      on(event: 'response', listener: (client: unknown, status: number, bytes: number, responseTimeMs: number) => void): void;
    }
  }
  function autocannon(options: autocannon.Options, done: (err: Error | null, result: autocannon.Result) => void): autocannon.Instance;
  export = autocannon;
}
