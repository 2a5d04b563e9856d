import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Middleware run in order as one Express layer. A router visits each of its layers with a path
 * match, a fresh parse of the URL and a closure or two; for handlers that apply to every path
 * that is work for nothing, on every request. A handler's error (passed to `next`, thrown, or a
 * rejected promise) goes to the enclosing router's error handlers, as a router's would.
 * `next('route')` and `next('router')` have no meaning here: no handler in a pipeline uses them.
 */
export function pipeline(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction): void => {
    let index = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined && err !== null) return done(err);
      const handler = handlers[index++];
      if (!handler) return done();
      try {
        const result: unknown = handler(req, res, next);
        if (result instanceof Promise) result.catch(done);
      } catch (thrown) {
        done(thrown);
      }
    };
    next();
  };
}

/** `handler` for requests whose path (below the mount point) `applies` to, the next layer for every other. */
export function only(applies: (path: string) => boolean, handler: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => (applies(req.path) ? handler(req, res, next) : next());
}
