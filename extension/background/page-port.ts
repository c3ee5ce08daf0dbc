/**
 * The background's end of a content script's page port (lib/messages.ts,
 * PAGE_PORT_NAME): each request is answered on the port, tied to the sender's
 * tab, and dropped when the port closes because the page navigated away or
 * its tab closed.
 */
import type { PagePort } from '../lib/browser-api.js';
import { isPagePortRequest, type PageAction, type PagePortReply, type PageReply } from '../lib/messages.js';
import { senderOrigin, toPageError, type Requester } from './request-flow.js';

export interface PageRequestHandler {
  handle(action: PageAction, args: Record<string, unknown>, origin: string, requester: Requester): Promise<PageReply>;
}

export function servePagePort(port: PagePort, requests: PageRequestHandler): void {
  const pageGone = new AbortController();
  const tabId = port.sender?.tab?.id;
  let origin: string | undefined;
  let refusal: PageReply | undefined;
  try {
    origin = senderOrigin(port.sender ?? {});
  } catch (e) {
    refusal = { ok: false, error: toPageError(e) };
  }
  port.onDisconnect.addListener(() => pageGone.abort());
  port.onMessage.addListener((message) => {
    if (!isPagePortRequest(message)) return;
    const reply =
      refusal || origin === undefined
        ? Promise.resolve(refusal as PageReply)
        : requests.handle(message.action, message.args, origin, { tabId, signal: pageGone.signal });
    void reply.then((answer) => {
      if (pageGone.signal.aborted) return;
      try {
        port.postMessage({ id: message.id, reply: answer } satisfies PagePortReply);
      } catch {
        // The page left while we answered.
      }
    });
  });
}
