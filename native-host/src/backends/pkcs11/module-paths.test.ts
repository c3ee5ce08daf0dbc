import { describe, expect, it } from 'vitest';
import { checkChosenModule, defaultPkcs11ModulePaths, installHint, knownPkcs11ModulePaths, resolvePkcs11Module } from './module-paths.js';

describe('defaultPkcs11ModulePaths', () => {
  it('puts the official middleware before p11-kit-proxy on Linux, in the multiarch folder first', () => {
    const paths = defaultPkcs11ModulePaths('linux', 'x64');
    expect(paths[0]).toBe('/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0');
    expect(paths).toContain('/usr/lib/libbeidpkcs11.so.0');
    expect(paths).toContain('/usr/local/lib/libbeidpkcs11.so.0');
    const lastBeid = Math.max(...paths.map((p, i) => (p.includes('beid') ? i : -1)));
    const firstProxy = paths.findIndex((p) => p.includes('p11-kit-proxy'));
    expect(firstProxy).toBeGreaterThan(lastBeid);
    expect(defaultPkcs11ModulePaths('linux', 'arm64')[0]).toBe('/usr/lib/aarch64-linux-gnu/libbeidpkcs11.so.0');
  });

  it('knows the macOS bundle and the Windows system folder', () => {
    expect(defaultPkcs11ModulePaths('darwin', 'arm64')[0]).toBe(
      '/Library/Belgium Identity Card/Pkcs11/beid-pkcs11.bundle/Contents/MacOS/libbeidpkcs11.dylib',
    );
    const windows = defaultPkcs11ModulePaths('win32', 'x64', { SystemRoot: 'C:\\Windows' });
    expect(windows[0]).toMatch(/System32.beidpkcs11\.dll$/);
  });
});

describe('resolvePkcs11Module', () => {
  const existing = new Set(['/usr/lib/p11-kit-proxy.so', '/opt/module.so']);
  const exists = (p: string) => existing.has(p);

  it('takes the first candidate that exists', () => {
    expect(resolvePkcs11Module({ candidatePaths: ['/usr/lib/libbeidpkcs11.so.0', '/usr/lib/p11-kit-proxy.so'] }, exists)).toEqual({
      found: true,
      path: '/usr/lib/p11-kit-proxy.so',
      configured: false,
    });
  });

  it('uses a configured module as it is, and does not fall back when it is missing', () => {
    expect(resolvePkcs11Module({ modulePath: '/opt/module.so' }, exists)).toEqual({ found: true, path: '/opt/module.so', configured: true });
    expect(resolvePkcs11Module({ modulePath: '/opt/missing.so', candidatePaths: ['/usr/lib/p11-kit-proxy.so'] }, exists)).toEqual({
      found: false,
      configured: true,
      tried: ['/opt/missing.so'],
    });
  });

  it('lists what it tried when nothing exists', () => {
    expect(resolvePkcs11Module({ candidatePaths: ['/a.so', '/b.so'] }, exists)).toEqual({ found: false, configured: false, tried: ['/a.so', '/b.so'] });
  });
});

describe('installHint', () => {
  it('names the middleware and the environment variable', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(installHint(platform)).toMatch(/middleware/);
      expect(installHint(platform)).toContain('EID_BRIDGE_PKCS11_MODULE');
    }
  });
});

describe('checkChosenModule', () => {
  const me = process.getuid?.() ?? 0;
  const tree: Record<string, { uid: number; mode: number }> = {
    '/': { uid: 0, mode: 0o40755 },
    '/usr': { uid: 0, mode: 0o40755 },
    '/usr/lib': { uid: 0, mode: 0o40755 },
    '/usr/lib/x86_64-linux-gnu': { uid: 0, mode: 0o40755 },
    '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so': { uid: 0, mode: 0o100644 },
    '/usr/lib/softhsm': { uid: 0, mode: 0o40755 },
    '/usr/lib/softhsm/libsofthsm2.so': { uid: 0, mode: 0o100644 },
    '/tmp': { uid: 0, mode: 0o41777 },
    '/tmp/x.so': { uid: me, mode: 0o100644 },
    '/usr/lib/evil.so': { uid: 4242, mode: 0o100644 },
    '/usr/lib/writable.so': { uid: 0, mode: 0o100666 },
  };
  const stat = (path: string) => {
    const entry = tree[path];
    if (!entry) throw new Error('ENOENT');
    return entry;
  };
  const refusal = (path: string, confirmedByPerson: boolean) => {
    try {
      checkChosenModule({ path, confirmedByPerson }, 'linux', stat);
      return undefined;
    } catch (e) {
      return (e as { code: string; message: string }).message;
    }
  };

  it('accepts the known locations of the middleware, p11-kit and OpenSC without a confirmation', () => {
    expect(knownPkcs11ModulePaths('linux', 'x64')).toEqual(expect.arrayContaining(['/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0', '/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so', '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so']));
    if (process.arch === 'x64') expect(refusal('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', false)).toBeUndefined();
  });

  it('needs the person to confirm any other library', () => {
    expect(refusal('/usr/lib/softhsm/libsofthsm2.so', false)).toMatch(/not a known PKCS#11 module location/);
    expect(refusal('/usr/lib/softhsm/libsofthsm2.so', true)).toBeUndefined();
  });

  it('never loads a library another user could have planted or changed, even when confirmed', () => {
    expect(refusal('/tmp/x.so', true)).toMatch(/could be replaced by another user \(\/tmp is not protected\)/);
    expect(refusal('/usr/lib/evil.so', true)).toMatch(/could be replaced/);
    expect(refusal('/usr/lib/writable.so', true)).toMatch(/could be replaced/);
    expect(refusal('/usr/lib/missing.so', true)).toMatch(/does not exist/);
  });
});
