/**
 * The background's end of a content script's page port (lib/messages.ts,
 * PAGE_PORT_NAME): each request is answered on the port, tied to the sender's
 * tab, and dropped when the port closes because the page navigated away or
 * its tab closed.
 */
import type { PagePort } from '../lib/browser-api.js';
import { isPagePortRequest, type PageAction, type PagePortReply, type PagePortRequest, type PageReply } from '../lib/messages.js';
import { senderOrigin, toPageError, type Requester } from './request-flow.js';
import { timingTrace } from './timing-trace.js';

export interface PageRequestHandler {
  handle(action: PageAction, args: Record<string, unknown>, origin: string, requester: Requester): Promise<PageReply>;
}

/**
 * The live page port of each frame of each tab. A frame holds one document at
 * a time, so a new port from the same frame means the page before it is gone,
 * even when the browser has not yet told us its port closed (Firefox may tell
 * only after the new page has already asked), and its request must not hold
 * the tab's place.
 */
const livePages = new Map<string, AbortController>();

export function servePagePort(port: PagePort, requests: PageRequestHandler): void {
  const pageGone = new AbortController();
  const tabId = port.sender?.tab?.id;
  const frame = tabId === undefined ? undefined : `${tabId}:${port.sender?.frameId ?? 0}`;
  if (frame !== undefined) {
    livePages.get(frame)?.abort();
    livePages.set(frame, pageGone);
  }
  // A sender without a usable origin gets the same refusal for every request.
  let answer: (message: PagePortRequest) => Promise<PageReply>;
  try {
    const origin = senderOrigin(port.sender ?? {});
    answer = (message) => requests.handle(message.action, message.args, origin, { tabId, signal: pageGone.signal });
  } catch (e) {
    const refusal: PageReply = { ok: false, error: toPageError(e) };
    answer = () => Promise.resolve(refusal);
  }
  port.onDisconnect.addListener(() => {
    pageGone.abort();
    if (frame !== undefined && livePages.get(frame) === pageGone) livePages.delete(frame);
  });
  port.onMessage.addListener((message) => {
    if (!isPagePortRequest(message)) return;
    timingTrace.mark('page-request-received');
    void answer(message).then((reply) => {
      if (pageGone.signal.aborted) return;
      try {
        timingTrace.mark('page-reply-posted');
        port.postMessage({ id: message.id, reply } satisfies PagePortReply);
        timingTrace.flush();
      } catch {
        // The page left while we answered.
      }
    });
  });
}
