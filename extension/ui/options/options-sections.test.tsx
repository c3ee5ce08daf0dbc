// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { FakeBrowser } from '../../lib/testing/fakes.js';
import { domUnderTest } from '../testing/dom.js';
import { OptionsSections, PKCS11_MODULE_PATTERN } from './options-sections.js';

const { show, $, click, type, settle } = domUnderTest();

describe('options: card access', () => {
  it('shows what the host uses now and sends PKCS#11 with the module path to the host', async () => {
    const browser = new FakeBrowser();
    const sent: unknown[] = [];
    browser.api.sendRuntimeMessage = async (message) => {
      sent.push(message);
      const op = (message as { op: string }).op;
      if (op === 'status') return { ok: true, result: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [] } };
      return { ok: true, result: { backends: [{ name: 'pkcs11', available: true, detail: 'SoftHSM (/usr/lib/softhsm/libsofthsm2.so)' }] } };
    };
    show(<OptionsSections api={browser.api} language="en" />);
    await settle();
    expect($<HTMLInputElement>('#backend-pcsc')!.checked).toBe(true);
    expect($<HTMLInputElement>('#backend-pkcs11')!.checked).toBe(false);

    await click('#backend-pcsc');
    await click('#backend-pkcs11');
    await type('#pkcs11-module', 'libsofthsm2.so');
    expect($('#pkcs11-module-error')!.textContent).toBe('Enter the full path of a .so, .dylib or .dll file.');
    await type('#pkcs11-module', '/usr/lib/softhsm/libsofthsm2.so');
    // A library runs inside the host: the person must say they trust it, and typing another path asks again.
    expect($<HTMLInputElement>('#pkcs11-module-trust')!.checked).toBe(false);
    await click('#pkcs11-module-trust');
    await click('#apply-backends');
    await settle();
    expect(sent.at(-1)).toEqual({
      type: 'eid-bridge:popup',
      op: 'configure-backends',
      backends: ['pkcs11'],
      pkcs11Module: '/usr/lib/softhsm/libsofthsm2.so',
      pkcs11ModuleConfirmed: true,
    });
    expect($('#backends-result')!.textContent).toBe('The eID Bridge program now uses: PKCS#11.');
  });

  it('explains a library the host refused: not confirmed, or in a folder others can change', async () => {
    const browser = new FakeBrowser();
    browser.api.sendRuntimeMessage = async (message) => {
      const op = (message as { op: string }).op;
      if (op === 'status') return { ok: true, result: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [] } };
      return { ok: false, error: { code: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT', bridgeCode: 'INVALID_ARGUMENT', argument: 'pkcs11Module', message: 'refused' } };
    };
    show(<OptionsSections api={browser.api} language="en" />);
    await settle();
    await click('#backend-pkcs11');
    await type('#pkcs11-module', '/opt/vendor/libcard.so');
    await click('#apply-backends');
    await settle();
    expect($('#backends-result')!.textContent).toMatch(/Confirm that you trust it/);
    await click('#pkcs11-module-trust');
    await click('#apply-backends');
    await settle();
    expect($('#backends-result')!.textContent).toMatch(/other users of this computer can change/);
  });

  it('keeps the choices disabled until the host said what it uses, so a late answer cannot undo the person’s change', async () => {
    const browser = new FakeBrowser();
    let answerStatus: (reply: unknown) => void = () => {};
    browser.api.sendRuntimeMessage = (message) =>
      (message as { op: string }).op === 'status'
        ? new Promise((resolve) => (answerStatus = resolve))
        : Promise.resolve({ ok: true, result: { backends: [{ name: 'pkcs11', available: true }] } });
    show(<OptionsSections api={browser.api} language="en" />);
    await settle();
    expect($<HTMLFieldSetElement>('#card-access fieldset')!.disabled).toBe(true);
    answerStatus({ ok: true, result: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }, { name: 'pkcs11', available: true, detail: 'OpenSC (/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so)' }], readers: [] } });
    await settle();
    expect($<HTMLFieldSetElement>('#card-access fieldset')!.disabled).toBe(false);
    expect($<HTMLInputElement>('#backend-pkcs11')!.checked).toBe(true);
    expect($<HTMLInputElement>('#pkcs11-module')!.value).toBe('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so');
  });

  it('refuses to send no backend at all', async () => {
    const browser = new FakeBrowser();
    const sent: unknown[] = [];
    browser.api.sendRuntimeMessage = async (message) => {
      sent.push(message);
      return { ok: false, error: { code: 'ERR_WEBEID_NATIVE_UNAVAILABLE', bridgeCode: 'NATIVE_UNAVAILABLE', message: 'no host' } };
    };
    show(<OptionsSections api={browser.api} language="nl" />);
    await settle();
    await click('#backend-pcsc');
    await click('#apply-backends');
    expect($('#backends-result')!.textContent).toBe('Kies minstens één manier van kaarttoegang.');
    expect(sent.filter((m) => (m as { op: string }).op === 'configure-backends')).toEqual([]);
  });

  it('accepts the module paths the host accepts', () => {
    expect(PKCS11_MODULE_PATTERN.test('/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0')).toBe(true);
    expect(PKCS11_MODULE_PATTERN.test('C:\\Windows\\System32\\beidpkcs11.dll')).toBe(true);
    expect(PKCS11_MODULE_PATTERN.test('/Library/Belgium Identity Card/libbeidpkcs11.dylib')).toBe(true);
    expect(PKCS11_MODULE_PATTERN.test('beidpkcs11.dll')).toBe(false);
  });
});
