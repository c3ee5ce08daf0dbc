/**
 * The SoftHSM2 fixture other tests build on: tokens laid out like the Belgian
 * card, two tokens under one SOFTHSM2_CONF, and a cleanup that removes only
 * what it made. Checked from outside with pkcs11-tool (OpenSC), in child
 * processes, so this file never initialises the module itself.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestPki } from '../devtools/test-pki/test-pki.js';
import { createSoftHsmToken, softHsmAvailable, type SoftHsmToken } from './helpers/softhsm.js';

const run = promisify(execFile);

async function listObjects(token: SoftHsmToken, label: string): Promise<string> {
  const { stdout } = await run(
    'pkcs11-tool',
    ['--module', token.modulePath, '--token-label', label, '--login', '--pin', '1234', '--list-objects'],
    { env: { ...process.env, ...token.env } },
  );
  return stdout;
}

async function tokenLabels(token: SoftHsmToken): Promise<string[]> {
  const { stdout } = await run('pkcs11-tool', ['--module', token.modulePath, '--list-token-slots'], { env: { ...process.env, ...token.env } });
  return [...stdout.matchAll(/token label\s*:\s*(.+)/g)].map((m) => m[1]!.trim()).filter((l) => l !== '');
}

describe.skipIf(!softHsmAvailable())('createSoftHsmToken', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('lays out keys and certificates like the Belgian middleware shows a card', async () => {
    const pki = await createTestPki({ keyType: 'ec' });
    const token = await createSoftHsmToken({ label: 'BELPIC', pki });
    cleanups.push(token.cleanup);
    expect(token.env.SOFTHSM2_CONF.startsWith(token.dir)).toBe(true);
    const objects = await listObjects(token, 'BELPIC');
    // Private keys with the card's IDs; the signature key wants the PIN for every use.
    expect(objects).toMatch(/Private Key Object; EC\s+label:\s+Authentication\s+ID:\s+02/);
    expect(objects).toMatch(/Private Key Object; EC\s+label:\s+Signature\s+ID:\s+03[\s\S]*?always authenticate/);
    expect(objects).toMatch(/Certificate Object;.*\s+label:\s+Authentication\s+subject:.*Alice Marie Peeters \(Authentication\).*\s+(serial:.*\s+)?ID:\s+02/);
    expect(objects).toMatch(/Certificate Object;.*\s+label:\s+Signature/);
    expect(objects).toMatch(/label:\s+CA/);
    expect(objects).toMatch(/label:\s+Root/);
    // No key material is left lying around in the token folder.
    const { stdout } = await run('find', [token.dir, '-name', '*.der']);
    expect(stdout).toBe('');
  });

  it('puts a second token next to the first, and its cleanup removes only that token', async () => {
    const [pkiA, pkiB] = await Promise.all([createTestPki({ keyType: 'ec', withSigning: false }), createTestPki({ keyType: 'ec', withSigning: false })]);
    const first = await createSoftHsmToken({ label: 'First', pki: pkiA });
    cleanups.push(first.cleanup);
    const second = await createSoftHsmToken({ label: 'Second', pki: pkiB, dir: first.dir, userPin: '4321' });
    expect(second.env).toEqual(first.env);
    expect((await tokenLabels(first)).sort()).toEqual(['First', 'Second']);
    expect(await listObjects(first, 'First')).not.toMatch(/label:\s+Signature/);

    await second.cleanup();
    expect(await tokenLabels(first)).toEqual(['First']);
    await first.cleanup();
    expect(existsSync(first.dir)).toBe(false);
  });
});
