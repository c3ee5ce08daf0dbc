/**
 * Where to find a PKCS#11 module when none is configured: the official
 * Belgian eID middleware first (docs/card.md, "Through PKCS#11"), then
 * p11-kit's proxy module, which forwards to every module the system has
 * registered (OpenSC among them, which also reads BELPIC cards).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EidBridgeError } from '../../../../shared/errors.js';

/** The environment variable the host reads to choose a module; the backend itself takes a path. */
export const PKCS11_MODULE_ENV = 'EID_BRIDGE_PKCS11_MODULE';

function linuxMultiarchDirs(arch: string): string[] {
  const triplet: Record<string, string> = {
    x64: 'x86_64-linux-gnu',
    arm64: 'aarch64-linux-gnu',
    arm: 'arm-linux-gnueabihf',
    ia32: 'i386-linux-gnu',
    ppc64: 'powerpc64le-linux-gnu',
    s390x: 's390x-linux-gnu',
  };
  const dir = triplet[arch];
  return dir ? [`/usr/lib/${dir}`] : [];
}

/**
 * The candidate module paths for a platform, most preferred first. Pure, so
 * every platform's list can be checked on any machine.
 */
export function defaultPkcs11ModulePaths(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  switch (platform) {
    case 'linux': {
      const libDirs = [...linuxMultiarchDirs(arch), '/usr/lib64', '/usr/lib', '/usr/local/lib'];
      return [
        ...libDirs.map((dir) => `${dir}/libbeidpkcs11.so.0`),
        ...libDirs.map((dir) => `${dir}/libbeidpkcs11.so`),
        ...libDirs.map((dir) => `${dir}/p11-kit-proxy.so`),
      ];
    }
    case 'darwin':
      return [
        '/Library/Belgium Identity Card/Pkcs11/beid-pkcs11.bundle/Contents/MacOS/libbeidpkcs11.dylib',
        '/usr/local/lib/libbeidpkcs11.dylib',
        '/opt/homebrew/lib/p11-kit-proxy.so',
        '/usr/local/lib/p11-kit-proxy.so',
      ];
    case 'win32': {
      const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
      return [join(systemRoot, 'System32', 'beidpkcs11.dll'), join(systemRoot, 'SysWOW64', 'beidpkcs11.dll')];
    }
    default:
      return ['/usr/local/lib/libbeidpkcs11.so.0', '/usr/local/lib/libbeidpkcs11.so', '/usr/local/lib/p11-kit-proxy.so'];
  }
}

/** OpenSC's PKCS#11 module (it reads BELPIC cards too), where each platform's packages put it. */
function openscModulePaths(platform: NodeJS.Platform, arch: string): string[] {
  switch (platform) {
    case 'linux': {
      const libDirs = [...linuxMultiarchDirs(arch), '/usr/lib64', '/usr/lib', '/usr/local/lib'];
      return [...libDirs.map((dir) => `${dir}/opensc-pkcs11.so`), ...libDirs.map((dir) => `${dir}/pkcs11/opensc-pkcs11.so`)];
    }
    case 'darwin':
      return ['/Library/OpenSC/lib/opensc-pkcs11.so', '/usr/local/lib/opensc-pkcs11.so', '/opt/homebrew/lib/opensc-pkcs11.so'];
    case 'win32':
      return ['C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll'];
    default:
      return ['/usr/local/lib/opensc-pkcs11.so'];
  }
}

/**
 * The module locations the options page may choose without a warning: the
 * official middleware, p11-kit and OpenSC, where their packages install
 * them. Loading a PKCS#11 module runs its native code inside the host, so any
 * other path needs the person's explicit confirmation.
 */
export function knownPkcs11ModulePaths(platform: NodeJS.Platform = process.platform, arch: string = process.arch, env: NodeJS.ProcessEnv = process.env): string[] {
  return [...defaultPkcs11ModulePaths(platform, arch, env), ...openscModulePaths(platform, arch)];
}

export interface ModuleChoice {
  path: string;
  /** The person picked this path in the options page after a warning about loading native code. */
  confirmedByPerson: boolean;
}

/**
 * Checks a module path chosen in the options page before the host loads it:
 * a known location, or one the person confirmed; and on Unix never a file
 * that another user could have put or changed (the file and every folder
 * above it owned by root or by this user, and not writable by group or
 * others), which rules out /tmp and the like.
 */
export function checkChosenModule(choice: ModuleChoice, platform: NodeJS.Platform = process.platform, stat: (path: string) => { uid: number; mode: number } = statSync): void {
  const known = knownPkcs11ModulePaths(platform).includes(choice.path);
  if (!known && !choice.confirmedByPerson) {
    throw new EidBridgeError('INVALID_ARGUMENT', `${choice.path} is not a known PKCS#11 module location`, {
      argument: 'pkcs11Module',
      hint: 'Choose it in the options page and confirm that you trust this library: it runs inside the eID Bridge program.',
    });
  }
  if (platform === 'win32') return;
  const me = process.getuid?.() ?? 0;
  for (let path = choice.path; ; path = dirname(path)) {
    let info: { uid: number; mode: number };
    try {
      info = stat(path);
    } catch {
      throw new EidBridgeError('INVALID_ARGUMENT', `${path} does not exist`, { argument: 'pkcs11Module' });
    }
    if ((info.uid !== 0 && info.uid !== me) || (info.mode & 0o022) !== 0) {
      throw new EidBridgeError('INVALID_ARGUMENT', `${choice.path} could be replaced by another user (${path} is not protected)`, {
        argument: 'pkcs11Module',
        hint: 'Install the PKCS#11 library in a system folder (such as /usr/lib) that only the administrator can change.',
      });
    }
    if (dirname(path) === path) break;
  }
}

export type ModuleResolution =
  | { found: true; path: string; configured: boolean }
  | { found: false; configured: boolean; tried: string[] };

/**
 * A configured path is used as it is (no silent fallback to another module:
 * the administrator chose it). Otherwise the first candidate that exists.
 */
export function resolvePkcs11Module(
  options: { modulePath?: string; candidatePaths?: readonly string[] },
  exists: (path: string) => boolean = existsSync,
): ModuleResolution {
  if (options.modulePath !== undefined && options.modulePath !== '') {
    return exists(options.modulePath)
      ? { found: true, path: options.modulePath, configured: true }
      : { found: false, configured: true, tried: [options.modulePath] };
  }
  const candidates = [...(options.candidatePaths ?? defaultPkcs11ModulePaths())];
  const path = candidates.find((candidate) => exists(candidate));
  return path ? { found: true, path, configured: false } : { found: false, configured: false, tried: candidates };
}

/** What to tell a person who has no module, per platform. */
export function installHint(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'linux':
      return 'Install the Belgian eID middleware (package "eid-mw", which provides libbeidpkcs11.so.0) or p11-kit with OpenSC, or set EID_BRIDGE_PKCS11_MODULE to a PKCS#11 library.';
    case 'darwin':
      return 'Install the Belgian eID middleware (eID Viewer and middleware from eid.belgium.be), or set EID_BRIDGE_PKCS11_MODULE to a PKCS#11 library.';
    case 'win32':
      return 'Install the Belgian eID middleware (from eid.belgium.be; it provides beidpkcs11.dll), or set EID_BRIDGE_PKCS11_MODULE to a PKCS#11 library.';
    default:
      return 'Install a PKCS#11 module for your card and set EID_BRIDGE_PKCS11_MODULE to its path.';
  }
}
