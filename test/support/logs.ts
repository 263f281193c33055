/** A logger that keeps everything the SDK logs, at every level. */
import { inspect } from 'node:util';
import type { LogEvent, LogLevel, Logger } from '../../src/index.js';

/** One captured log call. */
export interface Logged {
  level: LogLevel;
  message: string;
  event: LogEvent;
}

export function captureLogs(): { logger: Logger; logged: Logged[]; lines: () => string[] } {
  const logged: Logged[] = [];
  const at = (level: LogLevel) => (message: string, event: LogEvent) => void logged.push({ level, message, event });
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    logged,
    // Every way a log sink might render a line: the message, the event as JSON, and as inspected.
    lines: () => logged.map(({ message, event }) => `${message} ${JSON.stringify(event)} ${inspect(event, { depth: 10 })}`),
  };
}
