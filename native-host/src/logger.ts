/**
 * The host's logger. stdout carries protocol bytes only, so logs go to stderr
 * (the browser shows or drops them) or to a file named by EID_BRIDGE_LOG_FILE.
 * Log records are plain text built from a message and fields. No caller
 * passes a PIN; should one slip in anyway, fields named like a secret are
 * never written, and free text (the message, string values) has PIN-shaped
 * content masked: a PIN given as a JSON or key=value member, and the data of
 * a VERIFY or CHANGE REFERENCE DATA command written as hex.
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

/**
 * Fields whose value is a secret, whatever it holds: pin, currentPin, newPin,
 * puk, password, secret, otp. Not `code` (error codes are what a log is read
 * for) nor pinPad or pinTriesLeft (facts, not secrets).
 */
const SECRET_FIELD = /(?:^|[a-z])(?:pin|Pin|PIN)$|^puk$|password|secret|^otp$/i;

const MASK = '[redacted]';

/** A PIN as a member of JSON or key=value text: "pin":"1234", newPin=1234. */
const PIN_MEMBER = /("?\b(?:pin|currentPin|newPin|puk)"?\s*[:=]\s*"?)[^"\s,}]*/gi;
/** VERIFY (00 20) or CHANGE REFERENCE DATA (00 24) with its PIN block, as hex with or without spaces. */
const PIN_APDU = /(\b00\s?2[04]\s?00\s?[0-9a-f]{2}\s?(?:08|10)\s?)[0-9a-f\s]{15,46}[0-9a-f]/gi;

/** Free text with anything PIN-shaped masked. */
export function redactText(text: string): string {
  return text.replace(PIN_MEMBER, `$1${MASK}`).replace(PIN_APDU, `$1${MASK}`);
}

export function redact(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const value = SECRET_FIELD.test(k) ? MASK : typeof v === 'string' ? JSON.stringify(redactText(v)) : JSON.stringify(v);
    parts.push(`${k}=${value}`);
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
    write(`${new Date().toISOString()} ${level.toUpperCase()} ${redactText(message)}${redact(fields)}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
