/**
 * npm run bench [-- SECTION …]: prints performance figures. Not a test:
 * numbers vary with the machine; compare runs on the same machine. Sections:
 * host, startup, card, pkcs11, extension, backend (all by default). The card,
 * pkcs11 and extension sections need what the tests need: pcscd with vpcd,
 * SoftHSM2, Chromium, a build.
 */
import { cpus } from 'node:os';
import { benchBackend } from './backend.js';
import { benchCard } from './card.js';
import { benchBrowsers, benchBundles } from './extension.js';
import { benchHost } from './host.js';
import { benchPkcs11 } from './pkcs11.js';
import { benchStartup } from './startup.js';

const SECTIONS: Record<string, () => Promise<void>> = {
  host: () => benchHost(),
  startup: () => benchStartup(),
  card: () => benchCard(),
  pkcs11: () => benchPkcs11(),
  extension: async () => {
    benchBundles();
    await benchBrowsers();
  },
  backend: async () => {
    console.log('');
    await benchBackend();
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((s) => !(s in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown section(s): ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}
console.log(`eID Bridge benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
for (const name of wanted.length > 0 ? wanted : Object.keys(SECTIONS)) await SECTIONS[name]!();
