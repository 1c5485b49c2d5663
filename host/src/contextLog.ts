import type { LogHandler } from '@azure/functions';
import { format } from 'node:util';
import type { Logger } from '../../functions/src';

/** Routes `context.log` and friends to the host's logger, prefixed with the function name. */
export function contextLog(log: Logger, functionName: string): LogHandler {
  return (level, ...args) => {
    const line = `[${functionName}] ${format(...args)}`;
    if (level === 'error' || level === 'critical') log.error(line);
    else if (level === 'warning') log.warn(line);
    else if (level !== 'trace' && level !== 'debug') log.info(line);
  };
}
