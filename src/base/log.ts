// Logging through winston: text for a terminal, JSON for journald and collectors.
import winston from 'winston';

export type Logger = winston.Logger;

export interface LogOptions {
  level?: string;
  format?: 'text' | 'json';
}

export function createLogger(opts: LogOptions = {}): Logger {
  const format = opts.format ?? (process.stderr.isTTY ? 'text' : 'json');
  return winston.createLogger({
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
  });
}
