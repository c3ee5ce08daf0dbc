/**
 * The PKCS#11 module's own process (module-process.ts explains why there is
 * one): it loads pkcs11js, calls it as the host asks over the IPC channel,
 * and answers with the result or the error's name, code and message. It exits
 * when the host goes away (the channel closes).
 *
 * The function must stay self-contained (no imports, nothing from outside
 * its body): a host run by `node` starts the process as `node -e` with this
 * function's source text; the packaged executable runs it from its own bundle
 * (scripts/release/executable-main.ts, PKCS11_MODULE_PROCESS_ENV).
 */
export const PKCS11_MODULE_PROCESS_ENV = 'EID_BRIDGE_PKCS11_MODULE_PROCESS';

export function serveModuleCalls(pkcs11js: { PKCS11: new () => object }): void {
  const pkcs11 = new pkcs11js.PKCS11() as Record<string, (...args: unknown[]) => unknown>;
  process.on('message', (message: { id: number; method: string; args: unknown[] }) => {
    let reply: { id: number; value?: unknown; error?: { name?: unknown; message?: unknown; code?: unknown } };
    try {
      reply = { id: message.id, value: pkcs11[message.method]!(...message.args) };
    } catch (e) {
      const error = e as { name?: unknown; message?: unknown; code?: unknown } | undefined;
      reply = { id: message.id, error: { name: error?.name, message: error?.message, code: error?.code } };
    }
    process.send!(reply);
  });
  process.on('disconnect', () => process.exit(0));
}
