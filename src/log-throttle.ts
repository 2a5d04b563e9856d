import type { Logger } from './logger';

/**
 * For failures that repeat while something is down (every request, every poll): the first of
 * an interval is logged with its fields, the others are counted and reported in one line when
 * the interval ends, so an outage costs a few lines rather than one per event.
 */
export function throttledLog(logger: Logger, level: 'warn' | 'error', message: string, intervalMs: number): (fields?: object) => void {
  let counting = false;
  let more = 0;
  return (fields = {}) => {
    if (counting) {
      more += 1;
      return;
    }
    counting = true;
    logger[level](fields, message);
    setTimeout(() => {
      if (more > 0) logger[level]({ more, intervalMs }, `${message} (${more} more times in ${intervalMs / 1000} s)`);
      counting = false;
      more = 0;
    }, intervalMs).unref();
  };
}
