import { EidBridgeError } from '../../../shared/errors.js';
import type { BackendStatus, ReaderStatus } from '../../../shared/protocol.js';
import { VERSION } from '../../../shared/version.js';
import type { CommandHandler } from './command.js';

/** Host version, which backends can run, and every reader with what is in it. Never fails for a missing reader or service. */
export const status: CommandHandler<'status'> = async (_args, ctx) => {
  const backends: BackendStatus[] = [];
  const readers: ReaderStatus[] = [];
  for (const backend of ctx.backends) {
    const s = await backend.status();
    if (!s.available) {
      backends.push(s);
      continue;
    }
    try {
      readers.push(...(await backend.readers()));
      backends.push(s);
    } catch (e) {
      const reason = e instanceof EidBridgeError ? e.code : 'INTERNAL_ERROR';
      backends.push({ ...s, available: reason !== 'PCSC_UNAVAILABLE' && reason !== 'PKCS11_MODULE_HUNG', reason, detail: e instanceof Error ? e.message : String(e) });
    }
  }
  return { version: VERSION, backends, readers };
};
