/**
 * The PKCS#11 backend with a module that stops answering: the module of
 * tests/fixtures/hanging-pkcs11 (built here with gcc) forwards to a SoftHSM2
 * token and blocks in the call its control file names.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EidBridgeError } from '../../../../shared/errors.js';
import { createTestPki } from '../../../../devtools/test-pki/test-pki.js';
import { buildHangingPkcs11Module, hangingPkcs11Env } from '../../../../tests/helpers/hanging-pkcs11.js';
import { createSoftHsmToken, softHsmAvailable, type SoftHsmToken } from '../../../../tests/helpers/softhsm.js';
import type { TokenCertificate } from '../card-backend.js';
import { Pkcs11Backend } from './pkcs11-backend.js';

const PIN = new TextEncoder().encode('1234');
const DIGEST = new Uint8Array(32).fill(7);

async function errorOf(promise: Promise<unknown>): Promise<EidBridgeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EidBridgeError);
  return error as EidBridgeError;
}

describe.skipIf(!softHsmAvailable())('Pkcs11Backend with a module that hangs', () => {
  let dir: string;
  let token: SoftHsmToken;
  let modulePath: string;
  let controlFile: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eid-module-process-'));
    modulePath = buildHangingPkcs11Module(dir);
    token = await createSoftHsmToken({ label: 'eid-hang', pki: await createTestPki({ keyType: 'rsa' }) });
    controlFile = join(dir, 'hang-in');
    // The module's process inherits this environment when it starts.
    Object.assign(process.env, token.env, hangingPkcs11Env(token.modulePath, controlFile));
  }, 60_000);

  afterAll(async () => {
    process.env = savedEnv;
    await token?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A backend on the hanging module, given to `use` and closed after it, with the module answering again. */
  async function withBackend(options: { maxCallMs?: number }, use: (backend: Pkcs11Backend) => Promise<void>): Promise<void> {
    const backend = new Pkcs11Backend({ modulePath, ...options });
    try {
      await use(backend);
    } finally {
      rmSync(controlFile, { force: true });
      await backend.close();
    }
  }

  async function authenticationCertificate(backend: Pkcs11Backend): Promise<TokenCertificate> {
    const certificate = (await backend.certificates()).find((c) => c.usage === 'authentication');
    expect(certificate).toBeDefined();
    return certificate!;
  }

  function signWith(backend: Pkcs11Backend, certificate: TokenCertificate, signal?: AbortSignal): Promise<Uint8Array> {
    return backend.sign({ certificate, digest: DIGEST, digestAlgorithm: 'SHA-256', pin: PIN, ...(signal && { signal }) });
  }

  /** Lets the module answer again: the next signature works, from a new module process. */
  async function expectSignsOnceTheModuleAnswers(backend: Pkcs11Backend, certificate: TokenCertificate): Promise<void> {
    rmSync(controlFile);
    expect((await signWith(backend, certificate)).length).toBe(256);
  }

  it('answers a call that overruns its limit with PKCS11_MODULE_HUNG, says so in status, and works again with a new module process', async () => {
    await withBackend({ maxCallMs: 1000 }, async (backend) => {
      const certificate = await authenticationCertificate(backend);
      writeFileSync(controlFile, 'C_Sign');
      const hung = await errorOf(signWith(backend, certificate));
      expect(hung.code).toBe('PKCS11_MODULE_HUNG');
      expect(hung.message).toMatch(/did not answer C_Sign within 1 s/);
      expect(hung.details.hint).toMatch(/plug it in again/);

      // Status does not wait for the module again: it says what hung.
      const status = await backend.status();
      expect(status).toMatchObject({ name: 'pkcs11', available: false, reason: expect.stringMatching(/does not answer/), detail: expect.stringMatching(/^C_Sign /) });

      await expectSignsOnceTheModuleAnswers(backend, certificate);
      expect(await backend.status()).toMatchObject({ available: true });
    });
  });

  it('ends a module call the person cancels (a PIN pad that waits) with USER_CANCELLED, and the next request works', async () => {
    await withBackend({}, async (backend) => {
      const certificate = await authenticationCertificate(backend);
      writeFileSync(controlFile, 'C_Login');
      const controller = new AbortController();
      const signing = signWith(backend, certificate, controller.signal);
      // The login waits for 20 s before it counts as hung; the person cancels well before.
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort();
      expect((await errorOf(signing)).code).toBe('USER_CANCELLED');
      await expectSignsOnceTheModuleAnswers(backend, certificate);
    });
  });

  it('answers a module that crashes during a signature with CARD_ERROR, and the next signature works', async () => {
    await withBackend({}, async (backend) => {
      const certificate = await authenticationCertificate(backend);
      writeFileSync(controlFile, 'crash C_Sign');
      const crashed = await errorOf(signWith(backend, certificate));
      expect(crashed.code).toBe('CARD_ERROR');
      expect(crashed.message).toMatch(/process ended \(SIGABRT\)/);
      await expectSignsOnceTheModuleAnswers(backend, certificate);
    });
  });

  it('reports a module that hangs in listing its slots as hung, not as a module without tokens', async () => {
    await withBackend({ maxCallMs: 1000 }, async (backend) => {
      writeFileSync(controlFile, 'C_GetSlotList');
      expect((await errorOf(backend.certificates())).code).toBe('PKCS11_MODULE_HUNG');
      expect((await errorOf(backend.readers())).code).toBe('PKCS11_MODULE_HUNG');
      rmSync(controlFile);
      expect((await backend.readers()).some((r) => r.cardPresent)).toBe(true);
    });
  });
});
