import http from 'node:http';
import type { Express, Request, Response } from 'express';

interface AppClasses {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse;
}

const classesByApp = new WeakMap<Express, AppClasses>();

/**
 * An HTTP server for an Express app, its requests and responses made with the app's
 * prototypes from the start.
 *
 * Express gives every request and response the app's own prototypes as it takes them
 * (`Object.setPrototypeOf` in `app.handle`). Changing the prototype of an object node's HTTP
 * machinery made changes its shape, and every later property access in that machinery and in
 * the middleware goes through slower, many-shaped lookups: a bare `node:http` answer took 3.5×
 * the CPU with nothing but that change, and a read through this server 2.5×. Made as
 * subclasses whose prototypes lead through the app's, the objects are born in their final
 * shape; and with those subclasses' prototypes as the app's own, Express's change of
 * prototype changes nothing.
 */
export function httpServerFor(app: Express): http.Server {
  return http.createServer(classesOf(app), app);
}

/** Made once per app: a second server of the app must not put a second layer under its prototypes. */
function classesOf(app: Express): AppClasses {
  const made = classesByApp.get(app);
  if (made) return made;
  class AppRequest extends http.IncomingMessage {}
  class AppResponse<R extends http.IncomingMessage = http.IncomingMessage> extends http.ServerResponse<R> {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as Request;
  app.response = AppResponse.prototype as Response;
  const classes = { IncomingMessage: AppRequest, ServerResponse: AppResponse };
  classesByApp.set(app, classes);
  return classes;
}
