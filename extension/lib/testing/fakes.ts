/** Fakes of the browser APIs behind browser-api.ts, for unit tests of the background logic. */
import type { BrowserApi, Listenable, MessageSender, NativePort, PagePort } from '../browser-api.js';

export class FakeEvent<L extends (...args: never[]) => unknown> implements Listenable<L> {
  readonly listeners: L[] = [];
  addListener(listener: L): void {
    this.listeners.push(listener);
  }
  removeListener(listener: L): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }
  emit(...args: Parameters<L>): void {
    for (const l of [...this.listeners]) l(...args);
  }
}

/** The host end of a native port: the test plays the native host. */
export class FakeNativePort implements NativePort {
  readonly sent: unknown[] = [];
  readonly onMessage = new FakeEvent<(message: unknown) => void>();
  readonly onDisconnect = new FakeEvent<() => void>();
  disconnected = false;
  reason: string | undefined;

  postMessage(message: unknown): void {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    this.sent.push(message);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  disconnectReason(): string | undefined {
    return this.reason;
  }
  /** The host says something. */
  reply(message: unknown): void {
    this.onMessage.emit(message);
  }
  /** The host process ends (or never started). */
  die(reason: string): void {
    this.reason = reason;
    this.disconnected = true;
    this.onDisconnect.emit();
  }
}

export class FakePagePort implements PagePort {
  sender?: MessageSender;
  readonly sent: unknown[] = [];
  readonly onMessage = new FakeEvent<(message: unknown) => void>();
  readonly onDisconnect = new FakeEvent<() => void>();
  constructor(readonly name: string) {}
  postMessage(message: unknown): void {
    this.sent.push(message);
  }
  disconnect(): void {}
}

export class FakeBrowser {
  readonly nativePorts: FakeNativePort[] = [];
  /** What connectNative does; by default it hands out a new FakeNativePort. */
  connectNativeImpl: (name: string) => NativePort = () => {
    const port = new FakeNativePort();
    this.nativePorts.push(port);
    return port;
  };
  readonly storage: Record<string, unknown> = {};
  /** Scripts registered in the page's world: id → file and matches. */
  readonly mainWorldScripts = new Map<string, { file: string; matches: string[] }>();
  /** An administrator's policy (managed storage). */
  readonly managedStorage: Record<string, unknown> = {};
  readonly windows = new Map<number, string>();
  readonly windowRemoved = new FakeEvent<(windowId: number) => void>();
  readonly runtimeConnect = new FakeEvent<(port: PagePort) => void>();
  readonly tabUrlChanged = new FakeEvent<(tabId: number, url: string) => void>();
  /** storage.session */
  readonly sessionStorage = new Map<string, unknown>();
  private nextWindowId = 1;

  readonly api: BrowserApi = {
    connectNative: (name) => this.connectNativeImpl(name),
    onRuntimeMessage: () => undefined,
    onRuntimeConnect: (listener) => this.runtimeConnect.addListener(listener),
    sendRuntimeMessage: async () => undefined,
    connectRuntime: (name) => new FakePagePort(name),
    openPopupWindow: async (path) => {
      const id = this.nextWindowId++;
      this.windows.set(id, path);
      return id;
    },
    openWebPopupWindow: async (url) => {
      const id = this.nextWindowId++;
      this.windows.set(id, url);
      return { windowId: id, tabId: 1000 + id };
    },
    closeWindow: async (id) => {
      if (this.windows.delete(id)) this.windowRemoved.emit(id);
    },
    onWindowRemoved: (listener) => this.windowRemoved.addListener(listener),
    onTabUrlChanged: (listener) => this.tabUrlChanged.addListener(listener),
    sessionStorageGet: async (key) => this.sessionStorage.get(key),
    sessionStorageSet: async (key, value) => {
      if (value === undefined) this.sessionStorage.delete(key);
      else this.sessionStorage.set(key, value);
    },
    setMainWorldScript: async (id, file, matches) => {
      if (matches.length === 0) this.mainWorldScripts.delete(id);
      else this.mainWorldScripts.set(id, { file, matches });
    },
    storageGet: async (keys) => Object.fromEntries(keys.filter((k) => k in this.storage).map((k) => [k, this.storage[k]])),
    storageSet: async (values) => {
      Object.assign(this.storage, values);
    },
    managedStorageGet: async (keys) => Object.fromEntries(keys.filter((k) => k in this.managedStorage).map((k) => [k, this.managedStorage[k]])),
    onStorageChanged: () => undefined,
    extensionUrl: (path) => `chrome-extension://test${path}`,
    extensionId: () => 'test',
    extensionVersion: () => '0.1.0',
    uiLanguage: () => 'nl-BE',
    openOptionsPage: async () => undefined,
  };
}
