import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFilePath, loadHostConfig, writeConfigFile } from './config.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eid-config-'));
  dirs.push(dir);
  return join(dir, 'sub', 'host.json');
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('host configuration', () => {
  it('uses PC/SC then PKCS#11 when nothing is configured', () => {
    expect(loadHostConfig({ EID_BRIDGE_CONFIG: tempFile() })).toEqual({ backends: ['pcsc', 'pkcs11'] });
  });

  it('keeps what the options page saved, and lets the environment override it', () => {
    const file = tempFile();
    writeConfigFile(file, { backends: ['pkcs11'], pkcs11Module: '/usr/lib/libbeidpkcs11.so.0' });
    expect(loadHostConfig({ EID_BRIDGE_CONFIG: file })).toEqual({ backends: ['pkcs11'], pkcs11Module: '/usr/lib/libbeidpkcs11.so.0' });
    expect(loadHostConfig({ EID_BRIDGE_CONFIG: file, EID_BRIDGE_BACKENDS: 'pcsc', EID_BRIDGE_PKCS11_MODULE: '/opt/x.so' })).toEqual({
      backends: ['pcsc'],
      pkcs11Module: '/opt/x.so',
    });
  });

  it('starts on the defaults when the saved file is damaged', () => {
    const file = tempFile();
    writeConfigFile(file, { backends: ['pcsc'] });
    writeFileSync(file, '{"backends": ["pcsc", "rm -rf"]');
    expect(loadHostConfig({ EID_BRIDGE_CONFIG: file }).backends).toEqual(['pcsc', 'pkcs11']);
    writeFileSync(file, '{"backends": ["floppy"]}');
    expect(loadHostConfig({ EID_BRIDGE_CONFIG: file }).backends).toEqual(['pcsc', 'pkcs11']);
  });

  it('writes the file readable by its owner only', () => {
    const file = tempFile();
    writeConfigFile(file, { backends: ['pcsc'] });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ backends: ['pcsc'] });
  });

  it('puts the file where each platform keeps per-user settings', () => {
    expect(configFilePath({ XDG_CONFIG_HOME: '/home/a/.config' }, 'linux')).toBe('/home/a/.config/eid-bridge/host.json');
    expect(configFilePath({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toContain('eID Bridge');
    expect(configFilePath({}, 'darwin')).toContain('Library/Application Support/eID Bridge/host.json');
  });
});
