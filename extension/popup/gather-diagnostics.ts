/** Collects the facts the diagnosis needs: the host through the background, the backend directly. */
import { BackendApi, normalizeBackendUrl, type FetchLike } from './backend-api.js';
import type { DiagnosticInput, ErrorFact } from './diagnostics.js';
import type { PopupErrorPayload } from './messages.js';
import type { BackgroundCaller } from './popup-client.js';

function fact(error: PopupErrorPayload): ErrorFact {
  return { bridgeCode: error.bridgeCode, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}

export async function gatherDiagnostics(call: BackgroundCaller, backendUrlSetting: string, extensionVersion: string, fetchImpl?: FetchLike, now = Date.now()): Promise<DiagnosticInput> {
  const backendUrl = normalizeBackendUrl(backendUrlSetting);
  const backendCheck = backendUrl
    ? new BackendApi(backendUrl, undefined, fetchImpl).health().then(
        (h) => ({ url: backendUrl, ok: true as const, version: h.version }),
        (e: unknown) => ({ url: backendUrl, ok: false as const, error: e instanceof Error ? e.message : String(e) }),
      )
    : Promise.resolve(undefined);
  const status = await call({ op: 'status' });
  const input: DiagnosticInput = {
    extensionVersion,
    host: status.ok ? { ok: true, status: status.result } : { ok: false, error: fact(status.error) },
    now,
  };
  if (status.ok && status.result.readers.some((r) => r.cardPresent)) {
    const certificates = await call({ op: 'certificates' });
    input.certificates = certificates.ok ? { ok: true, certificates: certificates.result.certificates } : { ok: false, error: fact(certificates.error) };
  }
  const backend = await backendCheck;
  if (backend) input.backend = backend;
  return input;
}
