// Structured JSON logs (pino) for the roles: start-up, rejected events, escalations, rollouts and
// outbox failures. What is logged is identifiers and codes only: measure and event ids, types,
// municipalities, levels and roles; never names, CPR numbers, birth dates or case content.
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(role: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'indsatsflow', role, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Defence in depth: should a payload ever reach a log line, these keys are masked.
    redact: {
      paths: ['*.childBirthDate', '*.cpr', 'req.headers.authorization', 'req.headers["x-api-key"]'],
      censor: '[redacted]',
    },
  });
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The Temporal SDK's logger (workflow and activity `log`, the worker's own lines) onto pino. */
export function sdkLogger(log: Logger): SdkLogger {
  const at =
    (level: LogLevel) =>
    (message: string, meta?: LogMetadata): void =>
      log[LEVELS[level]]({ ...meta, source: 'temporal-sdk' }, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}
