/**
 * The host's configuration: which card backends to use and the PKCS#11
 * module. Environment variables win (for developers and tests), then the
 * configuration file the options page writes through `configure-backends`,
 * then the defaults.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BackendName } from '../../shared/protocol.js';

export interface HostConfig {
  backends: BackendName[];
  pkcs11Module?: string;
}

export const DEFAULT_BACKENDS: BackendName[] = ['pcsc', 'pkcs11'];

export function configFilePath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.EID_BRIDGE_CONFIG) return env.EID_BRIDGE_CONFIG;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'eID Bridge', 'host.json');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'eID Bridge', 'host.json');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'eid-bridge', 'host.json');
}

function isBackendName(v: unknown): v is BackendName {
  return v === 'pcsc' || v === 'pkcs11';
}

/** The saved file; a missing or unreadable file counts as empty (the host must start regardless). */
export function readConfigFile(file: string): Partial<HostConfig> {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const result: Partial<HostConfig> = {};
    if (Array.isArray(raw.backends) && raw.backends.length > 0 && raw.backends.every(isBackendName)) result.backends = raw.backends;
    if (typeof raw.pkcs11Module === 'string' && raw.pkcs11Module) result.pkcs11Module = raw.pkcs11Module;
    return result;
  } catch {
    return {};
  }
}

export function writeConfigFile(file: string, config: HostConfig): void {
  mkdirSync(dirname(file), { recursive: true });
  // Write then rename: a crash never leaves half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export function loadHostConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const saved = readConfigFile(configFilePath(env));
  const fromEnv = env.EID_BRIDGE_BACKENDS?.split(',').map((s) => s.trim()).filter(Boolean);
  const config: HostConfig = { backends: fromEnv?.length ? (fromEnv as BackendName[]) : (saved.backends ?? DEFAULT_BACKENDS) };
  const module = env.EID_BRIDGE_PKCS11_MODULE || saved.pkcs11Module;
  if (module) config.pkcs11Module = module;
  return config;
}
