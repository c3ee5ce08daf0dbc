/**
 * How the validator reaches the network: only through a fetcher its caller
 * hands in. Addresses come from certificates nobody has verified yet, so the
 * fetcher decides what may be asked and how much may be read. In Node, use
 * createGuardedFetch (shared-node/guarded-fetch.ts): it also refuses hosts
 * off an allow-list and internal addresses, which no runtime-neutral code can
 * see. fetchWithLimits below is the fallback for a configured responder on
 * runtimes without it.
 */
import { concatBytes } from '../bytes.js';

export interface ResourceRequest {
  method: 'GET' | 'POST';
  body?: Uint8Array;
  contentType?: string;
  accept?: string;
}

/** Fetches one small resource and returns its body; throws when it is refused, fails or is too large. */
export type ResourceFetch = (url: string, request: ResourceRequest) => Promise<Uint8Array>;

export interface FetchLimits {
  /** The whole exchange, connection to last byte. Default 5 s. */
  timeoutMs?: number;
  /** Largest body accepted; reading stops as soon as it is passed. Default 64 KiB. */
  maxBytes?: number;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 5000;
export const DEFAULT_FETCH_MAX_BYTES = 64 * 1024;

/**
 * A ResourceFetch over the WHATWG fetch of the runtime: http(s) only, no
 * redirects, one total timeout, the body capped while it streams. It cannot
 * check which address a host name leads to: use it only for addresses an
 * operator configured.
 */
export function fetchWithLimits(limits: FetchLimits = {}, fetchFunction: typeof fetch = globalThis.fetch): ResourceFetch {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const maxBytes = limits.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  return async (url, request) => {
    if (!/^https?:\/\//i.test(url)) throw new Error(`Only http and https addresses are fetched (${url.slice(0, 80)})`);
    const signal = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = {};
    if (request.contentType) headers['Content-Type'] = request.contentType;
    if (request.accept) headers.Accept = request.accept;
    const response = await fetchFunction(url, {
      method: request.method,
      headers,
      ...(request.body ? { body: request.body.slice() } : {}),
      redirect: 'manual',
      signal,
    });
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(response.status >= 300 && response.status < 400 ? `Redirect refused (HTTP ${response.status})` : `HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`The answer is larger than ${maxBytes} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new Error(`The answer is larger than ${maxBytes} bytes`);
        }
        chunks.push(value);
      }
    }
    return concatBytes(...chunks);
  };
}
