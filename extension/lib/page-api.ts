/**
 * Builds window.eidBridge. Runs in the page's own world, so it uses nothing
 * but window messages; the content script does the rest.
 */
import { VERSION } from '../../shared/version.js';
import type { ErrorCode, ErrorDetails, WebEidErrorCode } from '../../shared/errors.js';
import type { PageAction, PageErrorPayload } from './messages.js';
import type { EidBridgePageApi, EidBridgePageError } from './page-api-types.js';

class PageError extends Error implements EidBridgePageError {
  override name = 'EidBridgeError' as const;
  readonly code: ErrorCode;
  readonly webEidCode: WebEidErrorCode;
  readonly details: ErrorDetails;

  constructor(payload: PageErrorPayload) {
    super(payload.message);
    const { code, bridgeCode, message: _message, ...details } = payload;
    this.code = bridgeCode;
    this.webEidCode = code;
    this.details = details;
  }
}

type PageWindow = Pick<Window, 'postMessage' | 'addEventListener' | 'location'>;

export function createPageApi(win: PageWindow): EidBridgePageApi {
  const pending = new Map<string, { resolve(value: unknown): void; reject(error: Error): void }>();
  let counter = 0;
  const prefix = Math.random().toString(36).slice(2);

  win.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== (win as unknown)) return;
    const data = event.data as { eidBridge?: unknown; id?: unknown; ok?: unknown; result?: unknown; error?: PageErrorPayload };
    if (data?.eidBridge !== 'reply' || typeof data.id !== 'string') return;
    const p = pending.get(data.id);
    if (!p) return;
    pending.delete(data.id);
    if (data.ok === true) p.resolve(data.result);
    else if (data.error) p.reject(new PageError(data.error));
  });

  function call<T>(action: PageAction, args: Record<string, unknown>): Promise<T> {
    const id = `${prefix}-${++counter}`;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      win.postMessage({ eidBridge: 'request', id, action, args }, win.location.origin);
    });
  }

  return Object.freeze({
    version: VERSION,
    status: () => call('status', {}),
    authenticate: (challengeNonce, options = {}) => call('authenticate', { challengeNonce, options }),
    getSigningCertificate: (options = {}) => call('get-signing-certificate', { options }),
    sign: (certificate, hash, hashFunction, options = {}) => call('sign', { certificate, hash, hashFunction, options }),
    readIdentity: (options = {}) => {
      const { includePhoto, ...rest } = options;
      return call('read-identity', { includePhoto: includePhoto === true, options: rest });
    },
  } satisfies EidBridgePageApi) as EidBridgePageApi;
}
