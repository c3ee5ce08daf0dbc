/**
 * npm run bench: prints performance figures. Not a test: numbers vary with the
 * machine; compare runs on the same machine.
 */
import { cpus } from 'node:os';
import { benchHost } from './bench/host.js';

console.log(`eID Bridge benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
await benchHost();
