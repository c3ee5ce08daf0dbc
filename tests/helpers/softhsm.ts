/**
 * A SoftHSM2 token laid out like a Belgian eID card seen through the official
 * PKCS#11 middleware: private keys and certificates "Authentication" (ID 02)
 * and "Signature" (ID 03), plus the "CA" and "Root" certificates without keys.
 *
 * Each token lives in a directory of its own under the system temp dir, with
 * its own softhsm2.conf; pass `dir` to put a second token next to the first
 * (one SOFTHSM2_CONF, two tokens). SoftHSM2 reads SOFTHSM2_CONF when a process
 * calls C_Initialize, so set it (process.env or a child's env) before the
 * module is initialised.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestCertificateAndKey, TestPki } from '../../devtools/test-pki/test-pki.js';

const run = promisify(execFile);

export const SOFTHSM_MODULE_PATH = '/usr/lib/softhsm/libsofthsm2.so';
export const DEFAULT_USER_PIN = '1234';
export const DEFAULT_SO_PIN = '12345678';
/** CKA_ID of the keys and certificates, as on the real card. */
export const AUTHENTICATION_KEY_ID = '02';
export const SIGNATURE_KEY_ID = '03';

export interface SoftHsmTokenOptions {
  label: string;
  pki: TestPki;
  userPin?: string;
  soPin?: string;
  /** Import the signature key and certificate (default: when the PKI has them). */
  withSigning?: boolean;
  /** Mark the signature key CKA_ALWAYS_AUTHENTICATE, as the Belgian middleware does (default true). */
  signingAlwaysAuthenticate?: boolean;
  /** Reuse the directory (and softhsm2.conf) of an earlier token. */
  dir?: string;
}

export interface SoftHsmToken {
  env: { SOFTHSM2_CONF: string };
  modulePath: string;
  dir: string;
  /** Deletes this token; deletes the whole directory when this call created it. */
  cleanup(): Promise<void>;
}

export function softHsmAvailable(): boolean {
  return existsSync(SOFTHSM_MODULE_PATH);
}

async function tool(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await run(command, args, { env, timeout: 30_000 });
    return stdout;
  } catch (e) {
    const error = e as Error & { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.filter((a) => !/^\d+$/.test(a)).join(' ')} failed: ${error.stderr || error.stdout || error.message}`);
  }
}

export async function createSoftHsmToken(opts: SoftHsmTokenOptions): Promise<SoftHsmToken> {
  if (!softHsmAvailable()) throw new Error(`SoftHSM2 is not installed (${SOFTHSM_MODULE_PATH}); apt-get install softhsm2 opensc`);
  const userPin = opts.userPin ?? DEFAULT_USER_PIN;
  const soPin = opts.soPin ?? DEFAULT_SO_PIN;
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'eid-softhsm-')));
  const tokenDir = join(dir, 'tokens');
  const confPath = join(dir, 'softhsm2.conf');
  await mkdir(tokenDir, { recursive: true });
  if (!existsSync(confPath)) {
    await writeFile(
      confPath,
      [`directories.tokendir = ${tokenDir}`, 'objectstore.backend = file', 'log.level = ERROR', 'slots.removable = false', ''].join('\n'),
    );
  }
  const env = { SOFTHSM2_CONF: confPath };
  const childEnv = { ...process.env, ...env };
  // Key files stay in a private folder only while the token is being built.
  const staging = await mkdtemp(join(dir, 'staging-'));

  const cleanup = async () => {
    if (ownsDir) {
      await rm(dir, { recursive: true, force: true });
    } else {
      await tool('softhsm2-util', ['--delete-token', '--token', opts.label], childEnv).catch(() => undefined);
    }
  };

  try {
    await tool('softhsm2-util', ['--init-token', '--free', '--label', opts.label, '--pin', userPin, '--so-pin', soPin], childEnv);
    const p11 = (args: string[]) =>
      tool('pkcs11-tool', ['--module', SOFTHSM_MODULE_PATH, '--token-label', opts.label, '--login', '--pin', userPin, ...args], childEnv);

    const writeKey = async (item: TestCertificateAndKey, id: string, label: string, alwaysAuth: boolean) => {
      const keyFile = join(staging, `${id}.key.der`);
      await writeFile(keyFile, item.privateKeyPkcs8, { mode: 0o600 });
      await p11(['--write-object', keyFile, '--type', 'privkey', '--id', id, '--label', label, '--usage-sign', ...(alwaysAuth ? ['--always-auth'] : [])]);
      await rm(keyFile, { force: true });
    };
    const writeCert = async (item: TestCertificateAndKey, label: string, id?: string) => {
      const certFile = join(staging, `${label}.der`);
      await writeFile(certFile, item.der);
      await p11(['--write-object', certFile, '--type', 'cert', '--label', label, ...(id ? ['--id', id] : [])]);
    };

    await writeKey(opts.pki.authentication, AUTHENTICATION_KEY_ID, 'Authentication', false);
    await writeCert(opts.pki.authentication, 'Authentication', AUTHENTICATION_KEY_ID);
    const withSigning = opts.withSigning ?? opts.pki.signing !== undefined;
    if (withSigning) {
      if (!opts.pki.signing) throw new Error('withSigning needs a PKI with a signing certificate');
      await writeKey(opts.pki.signing, SIGNATURE_KEY_ID, 'Signature', opts.signingAlwaysAuthenticate ?? true);
      await writeCert(opts.pki.signing, 'Signature', SIGNATURE_KEY_ID);
    }
    await writeCert(opts.pki.citizenCa, 'CA');
    await writeCert(opts.pki.root, 'Root');
  } catch (e) {
    await cleanup();
    throw e;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }

  return { env, modulePath: SOFTHSM_MODULE_PATH, dir, cleanup };
}
