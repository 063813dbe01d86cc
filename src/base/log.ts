// Logging through winston: text for a terminal, JSON for journald and collectors.
import winston from 'winston';

export type Logger = winston.Logger;

export interface LogOptions {
  level?: string;
  format?: 'text' | 'json';
}

const LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

export function createLogger(opts: LogOptions = {}): Logger {
  const format = opts.format ?? (process.stderr.isTTY ? 'text' : 'json');
  return skipDisabledLevels(winston.createLogger({
    level: opts.level ?? 'info',
    format:
      format === 'json'
        ? winston.format.combine(winston.format.timestamp(), winston.format.json())
        : winston.format.combine(
            winston.format.timestamp(),
            winston.format.printf((info) => {
              const { level, message, timestamp, ...rest } = info;
              const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
              return `${String(timestamp)} ${level} ${String(message)}${extra}`;
            }),
          ),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] })],
  }));
}

/**
 * winston formats every entry (timestamp, JSON) and streams it to the transports before they
 * drop it by level, so a debug line costs as much at level warn as at debug. As klog's V(n)
 * check, a method whose level is off returns at once (the level is read per call, so a changed
 * logger.level still takes effect).
 */
function skipDisabledLevels(logger: Logger): Logger {
  for (const level of LEVELS) {
    const write = logger[level];
    // `this`, not `logger`: a child logger (logger.child) inherits the method and keeps its meta.
    const guarded = function (this: Logger, ...args: Parameters<typeof write>): Logger {
      return this.isLevelEnabled(level) ? write.apply(this, args) : this;
    };
    logger[level] = guarded as winston.LeveledLogMethod;
  }
  return logger;
}
