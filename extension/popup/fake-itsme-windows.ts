/** The browser's windows, tabs and session storage as the popup's itsme login sees them, for unit tests. */
import { FakeEvent } from '../lib/testing/fakes.js';
import type { ItsmeWindows, PendingItsmeLogin } from './itsme-login.js';

export class FakeItsmeWindows implements ItsmeWindows {
  readonly opened: Array<{ url: string; windowId: number; tabId: number }> = [];
  readonly closedWindows: number[] = [];
  readonly tabAddress = new FakeEvent<(tabId: number, url: string) => void>();
  readonly windowClosed = new FakeEvent<(windowId: number) => void>();
  /** Session storage outlives the background, as in the browser. */
  stored: PendingItsmeLogin | undefined;
  private nextId = 10;

  async open(url: string) {
    const window = { url, windowId: this.nextId++, tabId: this.nextId++ };
    this.opened.push(window);
    return { windowId: window.windowId, tabId: window.tabId };
  }
  async close(windowId: number) {
    this.closedWindows.push(windowId);
    this.windowClosed.emit(windowId);
  }
  onTabAddress(listener: (tabId: number, url: string) => void) {
    this.tabAddress.addListener(listener);
  }
  onWindowClosed(listener: (windowId: number) => void) {
    this.windowClosed.addListener(listener);
  }
  async remember(login: PendingItsmeLogin | undefined) {
    this.stored = login;
  }
  async recall() {
    return this.stored;
  }
}
