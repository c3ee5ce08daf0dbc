import { describe, expect, it } from 'vitest';
import { FakePagePort } from '../lib/testing/fakes.js';
import { PAGE_PORT_NAME, type PageReply } from '../lib/messages.js';
import type { Requester } from './request-flow.js';
import { servePagePort } from './page-port.js';

function served(sender: FakePagePort['sender']) {
  const port = new FakePagePort(PAGE_PORT_NAME);
  port.sender = sender;
  const asked: Array<{ origin: string; requester: Requester }> = [];
  servePagePort(port, {
    handle: (_action, _args, origin, requester) => {
      asked.push({ origin, requester });
      return new Promise<PageReply>(() => undefined);
    },
  });
  return { port, asked };
}

const request = { type: 'eid-bridge:page-request', id: 1, action: 'authenticate', args: {} };

describe('the page port', () => {
  it('ties each request to the sender\'s tab and origin, and drops it when the page is gone', () => {
    const { port, asked } = served({ origin: 'https://www.belgium.be', url: 'https://www.belgium.be/x', tab: { id: 7 } });
    port.onMessage.emit(request);
    expect(asked[0]?.origin).toBe('https://www.belgium.be');
    expect(asked[0]?.requester.tabId).toBe(7);
    expect(asked[0]?.requester.signal?.aborted).toBe(false);
    port.onDisconnect.emit();
    expect(asked[0]?.requester.signal?.aborted).toBe(true);
  });

  it('drops the request of a page its frame has replaced, even before the old port is reported closed', () => {
    const first = served({ origin: 'https://www.belgium.be', url: 'https://www.belgium.be/a', tab: { id: 8 }, frameId: 0 });
    first.port.onMessage.emit(request);
    const frame = served({ origin: 'https://ads.example', url: 'https://ads.example/f', tab: { id: 8 }, frameId: 3 });
    // Another frame of the tab does not end the top page's request.
    expect(first.asked[0]?.requester.signal?.aborted).toBe(false);
    const reloaded = served({ origin: 'https://www.belgium.be', url: 'https://www.belgium.be/a', tab: { id: 8 }, frameId: 0 });
    expect(first.asked[0]?.requester.signal?.aborted).toBe(true);
    reloaded.port.onMessage.emit(request);
    expect(reloaded.asked[0]?.requester.signal?.aborted).toBe(false);
    // The old port closing late leaves the new page alone.
    first.port.onDisconnect.emit();
    expect(reloaded.asked[0]?.requester.signal?.aborted).toBe(false);
    frame.port.onDisconnect.emit();
    reloaded.port.onDisconnect.emit();
  });

  it('refuses a sandboxed page with ERR_WEBEID_CONTEXT_INSECURE', async () => {
    const { port, asked } = served({ origin: 'null', url: 'https://www.belgium.be/sandboxed', tab: { id: 7 } });
    port.onMessage.emit(request);
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toEqual([]);
    expect(port.sent).toEqual([{ id: 1, reply: { ok: false, error: expect.objectContaining({ code: 'ERR_WEBEID_CONTEXT_INSECURE' }) } }]);
  });
});
