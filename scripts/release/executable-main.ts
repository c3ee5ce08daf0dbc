/**
 * The packaged executable's entry: one executable, two names. Started under
 * the name the browsers' host manifests give (eid-bridge-host, HOST_NAME in
 * host-executable.mjs) it is the native host, exactly as
 * native-host/src/main.ts; under any other name (the package's
 * /usr/bin/eid-bridge link) it is the eid-bridge command of
 * cli/packaged-main.ts. Only the chosen part is evaluated, so the host's
 * start pays nothing for the command line.
 */
import { basename } from 'node:path';

if (basename(process.argv0) === 'eid-bridge-host') void import('../../native-host/src/main.js');
else void import('../../cli/packaged-main.js');
