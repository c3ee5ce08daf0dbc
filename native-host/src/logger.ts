/**
 * The host's logger. stdout carries protocol bytes only, so logs go to stderr
 * (the browser shows or drops them) or to a file named by EID_BRIDGE_LOG_FILE.
 * Log records are plain text built from fixed fields; no caller passes a PIN,
 * and `redact` strips anything that looks like one from free text.
 */
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Fields that may carry secrets are never written, whatever their value. */
const SECRET_FIELDS = /pin|password|secret|otp|code/i;

export function redact(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(`${k}=${SECRET_FIELDS.test(k) ? '[redacted]' : JSON.stringify(v)}`);
  }
  return parts.length ? ' ' + parts.join(' ') : '';
}

export function createLogger(options: { level?: LogLevel; file?: string; write?: (line: string) => void } = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write =
    options.write ??
    (options.file
      ? (line: string) => appendFileSync(options.file as string, line)
      : (line: string) => process.stderr.write(line));
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    write(`${new Date().toISOString()} ${level.toUpperCase()} ${message}${redact(fields)}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
