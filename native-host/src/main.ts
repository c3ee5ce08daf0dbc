/**
 * eid-bridge-host: started by the browser over native messaging. stdin and
 * stdout carry framed protocol messages only; logs go to stderr or to the file
 * named by EID_BRIDGE_LOG_FILE.
 */
import { createBackends } from './backends/registry.js';
import { configFilePath, loadHostConfig, writeConfigFile } from './config.js';
import { runHost } from './host.js';
import { createLogger, type LogLevel } from './logger.js';

const log = createLogger({
  file: process.env.EID_BRIDGE_LOG_FILE,
  level: (process.env.EID_BRIDGE_LOG_LEVEL as LogLevel | undefined) ?? 'info',
});

// Browsers pass the caller's origin (Chrome) or the manifest path and extension id (Firefox) as arguments.
log.info('host starting', { pid: process.pid, caller: process.argv.slice(2).join(' ') });

process.on('uncaughtException', (e) => {
  // Keep serving: one failed operation must not take the host down with every pending request.
  log.error('uncaught exception', { error: e.stack ?? String(e) });
});
process.on('unhandledRejection', (e) => {
  log.error('unhandled rejection', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
});

const config = loadHostConfig(process.env);
log.info('card backends', { backends: config.backends, pkcs11Module: config.pkcs11Module ?? 'default search' });
const idle = Number(process.env.EID_BRIDGE_HOST_IDLE_MS ?? 10 * 60_000);

// No top-level await: the packaged host is bundled as CommonJS (Node's single executable
// applications start only CommonJS).
void runHost({
  input: process.stdin,
  output: process.stdout,
  backends: createBackends(config),
  reconfigure: (next) => {
    writeConfigFile(configFilePath(process.env), next);
    return createBackends(next);
  },
  log,
  idleTimeoutMs: Number.isFinite(idle) ? idle : 0,
}).then(() => {
  log.info('host stopped');
  // Native bindings may hold handles (PC/SC monitoring threads): leave once the replies are flushed.
  process.stdout.write('', () => process.exit(0));
}, (e: unknown) => {
  log.error('host failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
});
