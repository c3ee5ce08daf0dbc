/**
 * Registering the native-messaging host with a browser (used by the
 * install-host and uninstall-host commands and by the browser tests). Writes the host manifest where that browser looks for it (on
 * Windows: a registry key pointing at it) and, next to it, a small launcher
 * that starts the host with an absolute node path: browsers start hosts with a
 * minimal environment, so node may not be on PATH. The packaged executable
 * (a Node single executable application) needs no node: the manifest names it
 * directly, and a launcher is written only to give it environment variables.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, win32 } from 'node:path';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { EXIT_USAGE, exitWith, parseCommandLine } from './cli-command.js';
import { CHROME_EXTENSION_ORIGIN, GECKO_EXTENSION_ID, NATIVE_HOST_NAME } from '../shared/native-host-name.js';

export const BROWSERS = ['chrome', 'chromium', 'edge', 'brave', 'firefox'] as const;
export type Browser = (typeof BROWSERS)[number];
export type Platform = 'linux' | 'darwin' | 'win32';

export interface InstallOptions {
  browser: Browser;
  /** A Chromium profile directory (--user-data-dir): the manifest goes to DIR/NativeMessagingHosts/. */
  userDataDir?: string;
  /** Install for every user of the machine. */
  system?: boolean;
  /** Put the manifest exactly here (overrides the browser's usual place). */
  manifestDir?: string;
  /** Environment for the host, written into the launcher (e.g. EID_BRIDGE_PKCS11_MODULE). */
  env?: Record<string, string>;
  /** Absolute path of node; default: the node running this command. */
  nodePath?: string;
  /** The host script; default: <project>/dist/eid-bridge-host.mjs. */
  hostScript?: string;
  /** A host that runs by itself (the packaged executable) instead of node and a script; default: this executable when it is the packaged one. */
  executable?: string;
  platform?: Platform;
  home?: string;
}

export interface InstallResult {
  manifestPath: string;
  /** The script the manifest names, when the host needs one (node to find, or environment to set). */
  launcherPath?: string;
  registryKey?: string;
}

const MANIFEST_FILE = `${NATIVE_HOST_NAME}.json`;

/** Where each browser looks for host manifests (Linux and macOS; Windows uses the registry). */
export function manifestDirectory(browser: Browser, platform: Platform, system: boolean, home: string): string {
  if (platform === 'linux') {
    if (system) {
      return {
        chrome: '/etc/opt/chrome/native-messaging-hosts',
        chromium: '/etc/chromium/native-messaging-hosts',
        edge: '/etc/opt/edge/native-messaging-hosts',
        // Brave reads Chrome's system directory.
        brave: '/etc/opt/chrome/native-messaging-hosts',
        firefox: '/usr/lib/mozilla/native-messaging-hosts',
      }[browser];
    }
    return {
      chrome: join(home, '.config/google-chrome/NativeMessagingHosts'),
      chromium: join(home, '.config/chromium/NativeMessagingHosts'),
      edge: join(home, '.config/microsoft-edge/NativeMessagingHosts'),
      brave: join(home, '.config/BraveSoftware/Brave-Browser/NativeMessagingHosts'),
      firefox: join(home, '.mozilla/native-messaging-hosts'),
    }[browser];
  }
  if (platform === 'darwin') {
    if (system) {
      return {
        chrome: '/Library/Google/Chrome/NativeMessagingHosts',
        chromium: '/Library/Application Support/Chromium/NativeMessagingHosts',
        edge: '/Library/Microsoft/Edge/NativeMessagingHosts',
        brave: '/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts',
        firefox: '/Library/Application Support/Mozilla/NativeMessagingHosts',
      }[browser];
    }
    const support = join(home, 'Library/Application Support');
    return {
      chrome: join(support, 'Google/Chrome/NativeMessagingHosts'),
      chromium: join(support, 'Chromium/NativeMessagingHosts'),
      edge: join(support, 'Microsoft Edge/NativeMessagingHosts'),
      brave: join(support, 'BraveSoftware/Brave-Browser/NativeMessagingHosts'),
      firefox: join(support, 'Mozilla/NativeMessagingHosts'),
    }[browser];
  }
  // Windows: the manifest may live anywhere; the registry says where.
  const base = system ? (process.env.ProgramData ?? 'C:\\ProgramData') : (process.env.LOCALAPPDATA ?? win32.join(home, 'AppData', 'Local'));
  return win32.join(base, 'eID Bridge', 'NativeMessagingHosts', browser);
}

/** The registry key a browser reads on Windows (HKCU, or HKLM with --system). */
export function registryKey(browser: Browser, system: boolean): string {
  const root = system ? 'HKLM' : 'HKCU';
  const vendor = {
    chrome: 'Google\\Chrome',
    chromium: 'Chromium',
    edge: 'Microsoft\\Edge',
    brave: 'BraveSoftware\\Brave-Browser',
    firefox: 'Mozilla',
  }[browser];
  return `${root}\\Software\\${vendor}\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`;
}

export function hostManifest(browser: Browser, launcherPath: string): Record<string, unknown> {
  const base = { name: NATIVE_HOST_NAME, description: 'eID Bridge: Belgian eID card access for the browser', path: launcherPath, type: 'stdio' };
  return browser === 'firefox' ? { ...base, allowed_extensions: [GECKO_EXTENSION_ID] } : { ...base, allowed_origins: [CHROME_EXTENSION_ORIGIN] };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A script that sets `env` and runs `command` (a program and its first arguments) with the browser's arguments. */
export function launcherScript(command: readonly string[], env: Record<string, string>, platform: Platform): string {
  if (platform === 'win32') {
    const lines = ['@echo off', ...Object.entries(env).map(([k, v]) => `set "${k}=${v}"`), `${command.map((c) => `"${c}"`).join(' ')} %*`];
    return `${lines.join('\r\n')}\r\n`;
  }
  return [
    '#!/bin/sh',
    '# Written by "eid-bridge install-host": starts the eID Bridge native host.',
    ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    `exec ${command.map(shellQuote).join(' ')} "$@"`,
    '',
  ].join('\n');
}

/** This executable, when it is the packaged one (host and command in one file): it registers itself. */
function packagedExecutable(): string | undefined {
  return isSea() ? process.execPath : undefined;
}

/** The project root: the nearest folder above this module with our package.json. */
export function projectRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'eid-bridge') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the eid-bridge project folder');
    dir = parent;
  }
}

function targetDirectory(options: InstallOptions, platform: Platform, home: string): string {
  if (options.manifestDir) return resolve(options.manifestDir);
  if (options.userDataDir) {
    if (options.browser === 'firefox') throw new Error('--user-data-dir is for Chromium browsers; Firefox reads ~/.mozilla/native-messaging-hosts');
    return join(resolve(options.userDataDir), 'NativeMessagingHosts');
  }
  return manifestDirectory(options.browser, platform, options.system === true, home);
}

export function installHost(options: InstallOptions): InstallResult {
  const platform = options.platform ?? (process.platform as Platform);
  const home = options.home ?? homedir();
  const dir = targetDirectory(options, platform, home);
  const env = options.env ?? {};
  const executable = options.executable ?? (options.hostScript === undefined ? packagedExecutable() : undefined);
  let command: string[];
  if (executable) command = [resolve(executable)];
  else {
    const hostScript = resolve(options.hostScript ?? join(projectRoot(), 'dist', 'eid-bridge-host.mjs'));
    if (!existsSync(hostScript)) throw new Error(`The host ${hostScript} does not exist: run "npm run build:node" first`);
    command = [options.nodePath ?? process.execPath, hostScript];
  }
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) throw new Error(`Not an environment variable name: ${name}`);
  }
  mkdirSync(dir, { recursive: true });
  const launcherPath = join(dir, platform === 'win32' ? `${NATIVE_HOST_NAME}.cmd` : `${NATIVE_HOST_NAME}.sh`);
  const needsLauncher = command.length > 1 || Object.keys(env).length > 0;
  if (needsLauncher) {
    writeFileSync(launcherPath, launcherScript(command, env, platform));
    if (platform !== 'win32') chmodSync(launcherPath, 0o755);
  } else rmSync(launcherPath, { force: true });
  const manifestPath = join(dir, MANIFEST_FILE);
  writeFileSync(manifestPath, `${JSON.stringify(hostManifest(options.browser, needsLauncher ? launcherPath : command[0]!), null, 2)}\n`);
  const result: InstallResult = needsLauncher ? { manifestPath, launcherPath } : { manifestPath };
  if (platform === 'win32' && !options.manifestDir && !options.userDataDir) {
    result.registryKey = registryKey(options.browser, options.system === true);
    execFileSync('reg', ['add', result.registryKey, '/ve', '/t', 'REG_SZ', '/d', manifestPath, '/f'], { stdio: 'ignore' });
  }
  return result;
}

export function uninstallHost(options: Omit<InstallOptions, 'env' | 'nodePath' | 'hostScript' | 'executable'>): string[] {
  const platform = options.platform ?? (process.platform as Platform);
  const home = options.home ?? homedir();
  const dir = targetDirectory(options as InstallOptions, platform, home);
  const removed: string[] = [];
  for (const file of [MANIFEST_FILE, `${NATIVE_HOST_NAME}.sh`, `${NATIVE_HOST_NAME}.cmd`]) {
    const path = join(dir, file);
    if (existsSync(path)) {
      rmSync(path);
      removed.push(path);
    }
  }
  if (platform === 'win32' && !options.manifestDir && !options.userDataDir) {
    const key = registryKey(options.browser, options.system === true);
    try {
      execFileSync('reg', ['delete', key, '/f'], { stdio: 'ignore' });
      removed.push(key);
    } catch {
      // not registered
    }
  }
  return removed;
}

/** Where the host comes from: the options that choose node and the host script, unless this is the packaged executable. */
const HOST_SOURCE_USAGE = packagedExecutable()
  ? ''
  : `
  --node PATH           node to start the host with (default: ${process.execPath})
  --host PATH           the host script (default: <project>/dist/eid-bridge-host.mjs)`;

export const REGISTRATION_USAGE = `Usage: eid-bridge install-host --browser <${BROWSERS.join('|')}> [options]
       eid-bridge uninstall-host --browser <...> [--user-data-dir DIR | --manifest-dir DIR] [--system]

Options:
  --browser NAME        the browser to register the host with (repeat for several)
  --user-data-dir DIR   a Chromium profile directory: writes DIR/NativeMessagingHosts/
  --manifest-dir DIR    write the manifest into DIR exactly
  --system              for every user of this computer (needs administrator rights)
  --env KEY=VALUE       environment for the host, e.g. EID_BRIDGE_PKCS11_MODULE=/path (repeatable)${HOST_SOURCE_USAGE}`;

/** What install-host and uninstall-host were asked: the browsers and where. */
export interface RegistrationRequest {
  browsers: Browser[];
  common: Omit<InstallOptions, 'browser'>;
}

/** Parses the options both commands share; the exit status when there is nothing more to do (help, a mistake). */
export function parseRegistrationArgs(command: string, argv: string[]): RegistrationRequest | number {
  const parsed = parseCommandLine(command, REGISTRATION_USAGE, {
    args: argv,
    options: {
      browser: { type: 'string', multiple: true },
      'user-data-dir': { type: 'string' },
      'manifest-dir': { type: 'string' },
      system: { type: 'boolean' },
      env: { type: 'string', multiple: true },
      node: { type: 'string' },
      host: { type: 'string' },
    },
    strict: true,
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const mistake = (message: string): number => {
    return exitWith(EXIT_USAGE, command, `${message}\n\n${REGISTRATION_USAGE}`);
  };
  if (packagedExecutable() && (values.node !== undefined || values.host !== undefined)) {
    return mistake('--node and --host are for the developer set-up: this executable is the host');
  }
  const browsers = (values.browser ?? []).flatMap((b) => b.split(','));
  if (browsers.length === 0) return mistake(`--browser is required (${BROWSERS.join(', ')})`);
  for (const b of browsers) if (!(BROWSERS as readonly string[]).includes(b)) return mistake(`Unknown browser "${b}" (${BROWSERS.join(', ')})`);
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return mistake(`--env needs KEY=VALUE, got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const common: Omit<InstallOptions, 'browser'> = { env, system: values.system === true };
  if (values['user-data-dir']) common.userDataDir = values['user-data-dir'];
  if (values['manifest-dir']) common.manifestDir = values['manifest-dir'];
  if (values.node) common.nodePath = resolve(values.node);
  if (values.host) common.hostScript = values.host;
  return { browsers: browsers as Browser[], common };
}
