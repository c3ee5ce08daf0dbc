/**
 * The PKCS#11 module that hangs (tests/fixtures/hanging-pkcs11/), built with
 * gcc into a folder of the caller's: it forwards to SoftHSM2 and blocks in the
 * call its control file names, while that file exists.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './host-process.js';

/** Compiles the module into `dir` and returns its path. */
export function buildHangingPkcs11Module(dir: string): string {
  const root = projectRoot();
  const output = join(dir, 'hanging-pkcs11.so');
  const source = join(root, 'tests/fixtures/hanging-pkcs11/hanging-pkcs11.c');
  // The PKCS#11 headers come with pkcs11js, a dependency: no system package needed.
  execFileSync('gcc', ['-shared', '-fPIC', '-Wall', '-o', output, source, '-I', join(root, 'node_modules/pkcs11js/includes/pkcs11'), '-ldl']);
  return output;
}

/** The environment the module reads: the module it forwards to and its control file. */
export function hangingPkcs11Env(realModule: string, controlFile: string): NodeJS.ProcessEnv {
  return { HANGING_PKCS11_REAL_MODULE: realModule, HANGING_PKCS11_CONTROL: controlFile };
}
