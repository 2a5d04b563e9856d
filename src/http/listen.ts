import type { Server } from 'node:http';

/** Why a port could not be bound, in words an operator acts on (`setting`: the variable that names the port); other errors as they are. */
function listenError(err: NodeJS.ErrnoException, port: number, setting: string): Error {
  if (err.code === 'EADDRINUSE') return new Error(`port ${port} is already in use: stop what holds it, or set ${setting} to another port`);
  if (err.code === 'EACCES') return new Error(`port ${port} may not be bound by this user: set ${setting} to a port above 1023`);
  return err;
}

/**
 * Starts listening on `port`, settled once the port is bound or could not be: a failure rejects
 * the promise instead of surfacing as the server's unhandled `error` event (a crash with a stack
 * trace).
 */
export function listen(listener: Server, port: number, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException): void => reject(listenError(err, port, setting));
    listener.once('error', failed);
    listener.listen(port, () => {
      listener.off('error', failed);
      resolve();
    });
  });
}
