/**
 * npm run bench: prints performance figures. Not a test: numbers vary with the
 * machine; compare runs on the same machine. Sections need what the tests
 * need (pcscd with vpcd for the card section).
 */
import { cpus } from 'node:os';
import { benchBackend } from '../backend/bench.js';
import { benchCard } from './bench/card.js';
import { benchHost } from './bench/host.js';

console.log(`eID Bridge benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
await benchHost();
await benchCard();
console.log('');
await benchBackend();
