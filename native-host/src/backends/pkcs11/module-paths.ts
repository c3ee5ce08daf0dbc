/**
 * Where to find a PKCS#11 module when none is configured: the official
 * Belgian eID middleware first (docs/card.md, "Through PKCS#11"), then
 * p11-kit's proxy module, which forwards to every module the system has
 * registered (OpenSC among them, which also reads BELPIC cards).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
