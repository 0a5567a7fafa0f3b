import { redact } from '../shared/redact.js';
import type { Logger } from './http/types.js';

/** Every log line passes through `redact` before it reaches the caller's logger. */
export function redactingLogger(logger: Logger | undefined): Logger {
  if (!logger) return {};
  const wrap = (fn: ((message: string, data?: Record<string, unknown>) => void) | undefined) =>
    fn
      ? (message: string, data?: Record<string, unknown>) =>
          fn.call(logger, redact(message), data === undefined ? undefined : (JSON.parse(redact(JSON.stringify(data))) as Record<string, unknown>))
      : undefined;
  const result: Logger = {};
  const debug = wrap(logger.debug);
  const info = wrap(logger.info);
  const warn = wrap(logger.warn);
  const error = wrap(logger.error);
  if (debug) result.debug = debug;
  if (info) result.info = info;
  if (warn) result.warn = warn;
  if (error) result.error = error;
  return result;
}
