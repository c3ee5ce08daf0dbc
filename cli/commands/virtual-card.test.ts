import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePinBlock } from '../../devtools/virtual-card/virtual-card.js';
import { defaultPkiDir, formatTrace, runVirtualCard, vpcdReaderName } from './virtual-card.js';

/** Runs the command in process against the real vpcd reader "Virtual PCD 00 01". */
function start(argv: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  let stop: () => void = () => {};
  const stopSignal = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const done = runVirtualCard(argv, { input, output, stopSignal });
  const waitFor = async (pattern: RegExp) => {
    const deadline = Date.now() + 15_000;
    while (!pattern.test(text)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { input, done, waitFor, stop, output: () => text };
}

describe('eid-bridge virtual-card', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('names vpcd readers by port and keeps PKIs under XDG_DATA_HOME', () => {
    expect(vpcdReaderName(35963)).toBe('Virtual PCD 00 00');
    expect(vpcdReaderName(35964)).toBe('Virtual PCD 00 01');
    expect(defaultPkiDir('1.8', { XDG_DATA_HOME: '/data' })).toBe(join('/data', 'eid-bridge', 'virtual-card', '1.8'));
  });

  it('traces APDUs without ever showing a PIN block', () => {
    const verify = Uint8Array.from([0x00, 0x20, 0x00, 0x01, 0x08, ...encodePinBlock('7391')]);
    const trace = formatTrace(verify, Uint8Array.from([0x90, 0x00]));
    expect(trace).toBe('> 0020000108 <PIN block hidden>\n< 9000');
    expect(trace).not.toContain('7391');
    const change = Uint8Array.from([0x00, 0x24, 0x00, 0x01, 0x10, ...encodePinBlock('7391'), ...encodePinBlock('8264')]);
    expect(formatTrace(change, Uint8Array.from([0x90, 0x00]))).not.toMatch(/7391|8264/);
    expect(formatTrace(Uint8Array.from([0x00, 0xb0, 0x00, 0x00, 0x04]), Uint8Array.from([1, 2, 3, 4, 0x90, 0x00]))).toBe('> 00B0000004\n< 010203049000');
  });

  it('rejects a bad profile or PIN with a usage error', async () => {
    const output = new PassThrough();
    expect(await runVirtualCard(['--profile', '2.0'], { input: new PassThrough(), output })).toBe(2);
    expect(await runVirtualCard(['--pin', '12'], { input: new PassThrough(), output })).toBe(2);
  });

  it('prints reader, holder, PIN and root; obeys remove/insert/quit; keeps the same PKI on the next run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'virtual-card-cli-'));
    dirs.push(dir);
    const pkiDir = join(dir, 'pki');
    const first = start(['--profile', 'kids', '--reader-port', '35964', '--pki-dir', pkiDir, '--pin', '4321']);
    await first.waitFor(/Type "remove"/);
    expect(first.output()).toContain('reader "Virtual PCD 00 01"');
    expect(first.output()).toContain('Kids-ID');
    expect(first.output()).toContain('PIN:              4321');
    expect(first.output()).toContain(`trust this root:  ${join(pkiDir, 'root.pem')}`);
    expect(first.output()).toContain('(new)');
    first.input.write('remove\n');
    await first.waitFor(/card removed/);
    first.input.write('status\n');
    await first.waitFor(/no card in the reader/);
    first.input.write('insert\n');
    await first.waitFor(/card inserted/);
    first.input.write('quit\n');
    expect(await first.done).toBe(0);
    const root = await readFile(join(pkiDir, 'root.pem'), 'utf8');

    // Same directory again: the same root, stopped by a signal this time.
    const second = start(['--profile', 'kids', '--reader-port', '35964', '--pki-dir', pkiDir]);
    await second.waitFor(/Type "remove"/);
    expect(second.output()).not.toContain('(new)');
    second.stop();
    expect(await second.done).toBe(0);
    expect(await readFile(join(pkiDir, 'root.pem'), 'utf8')).toBe(root);

    // A 1.8 card cannot use the RSA PKI of that directory.
    await expect(runVirtualCard(['--profile', '1.8', '--reader-port', '35964', '--pki-dir', pkiDir], { input: new PassThrough(), output: new PassThrough() })).rejects.toThrow(/does not suit/);
  });
});
