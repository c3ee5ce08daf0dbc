/**
 * The Web eID page protocol over window.postMessage, for the page scripts
 * that use the card when window.eidBridge is not offered: the page posts
 * {action: "web-eid:<name>", ...}, the extension acknowledges within a second
 * ("-ack"; none means no extension), then answers "-success" or "-failure".
 */

/** A failure of the card step: the Web eID error code, and eID Bridge's own finer one when the extension gives it. */
export class CardFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly bridgeCode?: string,
  ) {
    super(message);
  }
}

const LIBRARY_VERSION = '2.0.0';
/** How long to wait for the extension's acknowledgement before concluding there is none. */
const ACK_TIMEOUT_MS = 1500;

/** The requests the pages make, by the action names of the protocol. */
const ACTIONS = {
  authenticate: 'web-eid:authenticate',
  'get-signing-certificate': 'web-eid:get-signing-certificate',
  sign: 'web-eid:sign',
} as const;

type WebEidReply = Record<string, unknown> & { action?: unknown; error?: { code?: string; bridgeCode?: string; message?: string } };

/** One Web eID request; resolves with the success message, rejects with a CardFailure. */
export function webEidRequest(name: keyof typeof ACTIONS, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const action = ACTIONS[name];
    let acked = false;
    const ackTimer = setTimeout(() => {
      if (!acked) {
        cleanup();
        reject(new CardFailure('no extension', 'ERR_WEBEID_EXTENSION_UNAVAILABLE'));
      }
    }, ACK_TIMEOUT_MS);
    function cleanup(): void {
      clearTimeout(ackTimer);
      window.removeEventListener('message', onMessage);
    }
    function onMessage(event: MessageEvent): void {
      const m = event.data as WebEidReply | undefined;
      if (event.source !== window || !m || typeof m.action !== 'string') return;
      if (m.action === `${action}-ack`) acked = true;
      else if (m.action === `${action}-success`) {
        cleanup();
        resolve(m);
      } else if (m.action === `${action}-failure`) {
        cleanup();
        reject(new CardFailure(m.error?.message ?? 'failed', m.error?.code, m.error?.bridgeCode));
      }
    }
    window.addEventListener('message', onMessage);
    window.postMessage({ action, libraryVersion: LIBRARY_VERSION, ...body }, location.origin);
  });
}
