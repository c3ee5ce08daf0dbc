/**
 * The one place that calls WebExtension APIs. Everything else receives a
 * BrowserApi (or the part of it it needs), so the logic runs in unit tests
 * against fakes and in the browser against `browser.*` unchanged.
 */
import { browser } from 'wxt/browser';

export interface Listenable<L> {
  addListener(listener: L): void;
  removeListener(listener: L): void;
}

/** A native-messaging port as the client needs it. */
export interface NativePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: Listenable<(message: unknown) => void>;
  onDisconnect: Listenable<() => void>;
  /** Why the port closed, read inside onDisconnect (Chrome: runtime.lastError, Firefox: port.error). */
  disconnectReason(): string | undefined;
}

/** A runtime port between the background and one of our own pages (the dialog) or a content script. */
export interface PagePort {
  name: string;
  /** Who opened it (seen from the background). */
  sender?: MessageSender;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: Listenable<(message: unknown) => void>;
  onDisconnect: Listenable<() => void>;
}

/** What the background knows about who sent a runtime message. */
export interface MessageSender {
  /** Chrome 80+: the origin of the frame that sent it. */
  origin?: string;
  /** The URL of the frame that sent it. */
  url?: string;
  tab?: { id?: number; url?: string };
  /** The frame of the tab that sent it (0: the top frame). */
  frameId?: number;
  /** Set for messages from our own extension pages. */
  id?: string;
}

export type StorageArea = Record<string, unknown>;

export interface BrowserApi {
  connectNative(hostName: string): NativePort;
  /** Listener returns a promise for the reply, or undefined to leave the message to others. */
  onRuntimeMessage(listener: (message: unknown, sender: MessageSender) => Promise<unknown> | undefined): void;
  onRuntimeConnect(listener: (port: PagePort) => void): void;
  sendRuntimeMessage(message: unknown): Promise<unknown>;
  connectRuntime(name: string): PagePort;
  /** Opens an extension page in its own popup window; resolves to the window id. */
  openPopupWindow(path: string, size: { width: number; height: number }): Promise<number | undefined>;
  /** Opens a web address in its own popup window (the popup's itsme login); resolves to the window and its one tab. */
  openWebPopupWindow(url: string, size: { width: number; height: number }): Promise<{ windowId: number; tabId: number }>;
  closeWindow(windowId: number): Promise<void>;
  onWindowRemoved(listener: (windowId: number) => void): void;
  /** A tab's new address; the browser tells it only for pages the extension has host access to. */
  onTabUrlChanged(listener: (tabId: number, url: string) => void): void;
  /** storage.session: kept in memory for the browser session, never written to disk. */
  sessionStorageGet(key: string): Promise<unknown>;
  /** Stores the value under the key, or removes the key when the value is undefined. */
  sessionStorageSet(key: string, value: unknown): Promise<void>;
  /**
   * Registers (or replaces, or with no matches removes) a script the browser
   * runs in the page's own world at document start on the pages `matches` names.
   */
  setMainWorldScript(id: string, file: string, matches: string[]): Promise<void>;
  storageGet(keys: string[]): Promise<StorageArea>;
  storageSet(values: StorageArea): Promise<void>;
  /** An administrator's policy (managed storage); empty when there is none. */
  managedStorageGet(keys: string[]): Promise<StorageArea>;
  onStorageChanged(listener: (changedKeys: string[]) => void): void;
  extensionUrl(path: string): string;
  extensionId(): string;
  extensionVersion(): string;
  uiLanguage(): string;
  openOptionsPage(): Promise<void>;
}

function wrapNativePort(port: ReturnType<typeof browser.runtime.connectNative>): NativePort {
  return {
    postMessage: (message) => port.postMessage(message as object),
    disconnect: () => port.disconnect(),
    onMessage: port.onMessage as unknown as Listenable<(message: unknown) => void>,
    onDisconnect: port.onDisconnect as unknown as Listenable<() => void>,
    disconnectReason: () => {
      const firefoxError = (port as unknown as { error?: { message?: string } | null }).error;
      if (firefoxError?.message) return firefoxError.message;
      return browser.runtime.lastError?.message;
    },
  };
}

function wrapPagePort(port: ReturnType<typeof browser.runtime.connect>): PagePort {
  return {
    name: port.name,
    sender: port.sender as MessageSender | undefined,
    postMessage: (message) => port.postMessage(message as object),
    disconnect: () => port.disconnect(),
    onMessage: port.onMessage as unknown as Listenable<(message: unknown) => void>,
    onDisconnect: port.onDisconnect as unknown as Listenable<() => void>,
  };
}

export const browserApi: BrowserApi = {
  connectNative: (hostName) => wrapNativePort(browser.runtime.connectNative(hostName)),
  onRuntimeMessage(listener) {
    browser.runtime.onMessage.addListener(((message: unknown, sender: MessageSender) => listener(message, sender)) as never);
  },
  onRuntimeConnect(listener) {
    browser.runtime.onConnect.addListener((port) => listener(wrapPagePort(port)));
  },
  sendRuntimeMessage: (message) => browser.runtime.sendMessage(message),
  connectRuntime: (name) => wrapPagePort(browser.runtime.connect({ name })),
  async openPopupWindow(path, size) {
    const created = await browser.windows.create({
      url: browser.runtime.getURL(path as never),
      type: 'popup',
      width: size.width,
      height: size.height,
      focused: true,
    });
    return created?.id;
  },
  async openWebPopupWindow(url, size) {
    const created = await browser.windows.create({ url, type: 'popup', width: size.width, height: size.height, focused: true });
    const tabId = created?.tabs?.[0]?.id;
    if (created?.id === undefined || tabId === undefined) throw new Error('The browser opened no window');
    return { windowId: created.id, tabId };
  },
  async closeWindow(windowId) {
    await browser.windows.remove(windowId);
  },
  onWindowRemoved(listener) {
    browser.windows.onRemoved.addListener(listener);
  },
  onTabUrlChanged(listener) {
    browser.tabs.onUpdated.addListener((tabId, change) => {
      if (typeof change.url === 'string') listener(tabId, change.url);
    });
  },
  async sessionStorageGet(key) {
    return (await browser.storage.session.get(key))[key];
  },
  async sessionStorageSet(key, value) {
    if (value === undefined) await browser.storage.session.remove(key);
    else await browser.storage.session.set({ [key]: value });
  },
  async setMainWorldScript(id, file, matches) {
    const registered = await browser.scripting.getRegisteredContentScripts({ ids: [id] });
    if (registered.length > 0) await browser.scripting.unregisterContentScripts({ ids: [id] });
    if (matches.length === 0) return;
    await browser.scripting.registerContentScripts([{ id, js: [file], matches, world: 'MAIN', runAt: 'document_start', persistAcrossSessions: true }]);
  },
  storageGet: (keys) => browser.storage.local.get(keys) as Promise<StorageArea>,
  storageSet: (values) => browser.storage.local.set(values),
  async managedStorageGet(keys) {
    try {
      return (await browser.storage.managed.get(keys)) as StorageArea;
    } catch {
      // No policy installed: Firefox reports it as an error, Chrome without a schema too.
      return {};
    }
  },
  onStorageChanged(listener) {
    browser.storage.onChanged.addListener((changes, area) => {
      if (area === 'local') listener(Object.keys(changes));
    });
  },
  extensionUrl: (path) => browser.runtime.getURL(path as never),
  extensionId: () => browser.runtime.id,
  extensionVersion: () => browser.runtime.getManifest().version,
  uiLanguage: () => browser.i18n.getUILanguage(),
  openOptionsPage: () => browser.runtime.openOptionsPage(),
};
