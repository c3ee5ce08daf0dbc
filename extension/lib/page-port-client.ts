/**
 * The content script's end of the page port (PAGE_PORT_NAME in messages.ts):
 * sends the page's requests to the background and hands back each answer.
 * The port is opened at the first request and again after the background
 * went away.
 */
import type { PagePort } from './browser-api.js';
import { isRecord } from '../../shared/protocol.js';
import type { PagePortReply, PageReply, PageRequestMessage } from './messages.js';

export class PagePortClient {
  private port: PagePort | undefined;
  private counter = 0;
  private readonly waiting = new Map<number, { resolve(reply: PageReply): void; reject(e: Error): void }>();

  constructor(private readonly connect: () => PagePort) {}

  send(message: PageRequestMessage): Promise<PageReply> {
    const port = this.port ?? this.open();
    const id = ++this.counter;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        port.postMessage({ ...message, id });
      } catch (e) {
        this.waiting.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  private open(): PagePort {
    const port = this.connect();
    this.port = port;
    port.onMessage.addListener((message) => {
      if (!isRecord(message) || typeof message.id !== 'number') return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      waiter?.resolve((message as unknown as PagePortReply).reply);
    });
    port.onDisconnect.addListener(() => {
      if (this.port === port) this.port = undefined;
      const error = new Error('the extension went away');
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    });
    return port;
  }
}
