/**
 * eid-bridge-host: started by the browser over native messaging. stdin and
 * stdout carry framed protocol messages only; logs go to stderr or to the file
 * named by EID_BRIDGE_LOG_FILE.
 *
 * The version message goes out before anything heavy happens: the card
 * backends (and with them the certificate code and the native addons) and the
 * configuration file are loaded right after it, while the browser reads it.
 */
import { writeSync } from 'node:fs';
import { VERSION } from '../../shared/version.js';
import type { CardBackend } from './backends/card-backend.js';
import { configFilePath, loadHostConfig, writeConfigFile, type HostConfig } from './config.js';
import { encodeFrame } from './framing.js';
import { runHost } from './host.js';
import { createLogger, type LogLevel } from './logger.js';

// Straight to file descriptor 1, before process.stdout exists: setting up Node's stdio streams
// would come first otherwise. Nothing is in the pipe yet, so these few bytes never wait.
writeSync(1, encodeFrame({ version: VERSION }));

const log = createLogger({
  file: process.env.EID_BRIDGE_LOG_FILE,
  level: (process.env.EID_BRIDGE_LOG_LEVEL as LogLevel | undefined) ?? 'info',
});

process.on('uncaughtException', (e) => {
  // Keep serving: one failed operation must not take the host down with every pending request.
  log.error('uncaught exception', { error: e.stack ?? String(e) });
});
process.on('unhandledRejection', (e) => {
  log.error('unhandled rejection', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
});

const failed = (e: unknown) => {
  log.error('host failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
};

const registry = import('./backends/registry.js');
const createBackends = async (config: HostConfig): Promise<CardBackend[]> => (await registry).createBackends(config);
const idle = Number(process.env.EID_BRIDGE_HOST_IDLE_MS ?? 10 * 60_000);

// No top-level await: the packaged host is bundled as CommonJS (Node's single executable
// applications start only CommonJS).
const stopped = runHost({
  input: process.stdin,
  output: process.stdout,
  backends: Promise.resolve().then(() => {
    const config = loadHostConfig(process.env);
    log.info('card backends', { backends: config.backends, pkcs11Module: config.pkcs11Module ?? 'default search' });
    return createBackends(config);
  }),
  reconfigure: (next) => {
    writeConfigFile(configFilePath(process.env), next);
    return createBackends(next);
  },
  log,
  idleTimeoutMs: Number.isFinite(idle) ? idle : 0,
  versionSent: true,
});
// A reader that went away must not turn each write into an uncaught exception whose log line fails
// again (a loop that starves the event loop): without stdout nobody hears a reply, so leave; without
// stderr the log lines have nowhere to go.
process.stdout.on('error', () => process.exit(0));
process.stderr.on('error', () => undefined);

// Browsers pass the caller's origin (Chrome) or the manifest path and extension id (Firefox) as arguments.
// processStartedAt: when the process began (ms since the epoch), which the bench sets against the page's request.
log.info('host starting', { pid: process.pid, caller: process.argv.slice(2).join(' '), processStartedAt: Number(performance.timeOrigin.toFixed(1)) });

stopped.then(() => {
  log.info('host stopped');
  // Native bindings may hold handles (PC/SC monitoring threads): leave once the replies are flushed.
  process.stdout.write('', () => process.exit(0));
}, failed);
