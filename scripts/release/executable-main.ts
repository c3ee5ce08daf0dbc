/**
 * The packaged executable's entry: one executable, two names. Started under
 * the name the browsers' host manifests give (eid-bridge-host, HOST_NAME in
 * host-executable.mjs) it is the native host, exactly as
 * native-host/src/main.ts; under any other name (the package's
 * /usr/bin/eid-bridge link) it is the eid-bridge command of
 * cli/packaged-main.ts. Only the chosen part is evaluated, so the host's
 * start pays nothing for the command line. With PKCS11_MODULE_PROCESS_ENV
 * set it is the process the host keeps a PKCS#11 module in.
 */
import { basename } from 'node:path';
import { PKCS11_MODULE_PROCESS_ENV, serveModuleCalls } from '../../native-host/src/backends/pkcs11/module-child.js';

// The host starts a copy of itself in this role to hold a PKCS#11 module (module-process.ts).
if (process.env[PKCS11_MODULE_PROCESS_ENV] === '1') void import('pkcs11js').then((pkcs11js) => serveModuleCalls(pkcs11js.default));
else if (basename(process.argv0) === 'eid-bridge-host') void import('../../native-host/src/main.js');
else void import('../../cli/packaged-main.js');
