/**
 * The background (Chrome: service worker, Firefox: event page): wires the
 * native-host client, the dialog windows, the page request flow and the
 * popup's requests (all in extension/background/). Listeners are registered
 * synchronously so a message that wakes it is not lost.
 */
import { defineBackground } from 'wxt/utils/define-background';
import { NATIVE_HOST_NAME } from '../../shared/native-host-name.js';
import { VERSION } from '../../shared/version.js';
import { browserApi } from '../lib/browser-api.js';
import { DialogWindows } from '../background/dialog/dialog-windows.js';
import { isHostStatusMessage, isSettingsSavedMessage, PAGE_PORT_NAME, type HostStatusReply } from '../lib/messages.js';
import { registerPageApi } from '../background/page-api-registration.js';
import { SerialQueue } from '../background/serial-queue.js';
import { NativeHostClient } from '../background/native-client.js';
import { servePagePort } from '../background/page-port.js';
import { RequestFlow, toPageError } from '../background/request-flow.js';
import { loadSettings } from '../lib/settings.js';
import { fromExtensionPage, registerPopupMessages } from '../background/popup-requests.js';
import { timingTrace } from '../background/timing-trace.js';

export default defineBackground(() => {
  timingTrace.follow(browserApi);
  const host = new NativeHostClient(browserApi, { hostName: NATIVE_HOST_NAME, extensionVersion: VERSION });
  const dialogs = new DialogWindows(browserApi);
  const requests = new RequestFlow({
    host,
    dialogs,
    settings: () => loadSettings(browserApi),
    uiLanguage: () => browserApi.uiLanguage(),
  });

  registerPopupMessages({ api: browserApi, host, authenticate: (args, origin) => requests.handle('authenticate', args, origin) });

  // window.eidBridge follows the settings: registered at start and again whenever they change.
  const registrations = new SerialQueue();
  const syncPageApi = () => registrations.run(async () => registerPageApi(browserApi, await loadSettings(browserApi))).catch((e: unknown) => console.error('window.eidBridge could not be registered', e));
  void syncPageApi();
  browserApi.onStorageChanged((keys) => {
    if (keys.includes('governmentOrigins') || keys.includes('allowedOrigins')) void syncPageApi();
  });

  browserApi.onRuntimeConnect((port) => {
    if (port.name === PAGE_PORT_NAME) servePagePort(port, requests);
  });

  browserApi.onRuntimeMessage((message, sender) => {
    // Only the extension's own pages (options, popup) may ask these.
    if (!fromExtensionPage(sender, browserApi.extensionUrl('/'))) return undefined;
    if (isSettingsSavedMessage(message)) return syncPageApi().then(() => ({ ok: true }));
    if (isHostStatusMessage(message)) {
      return (async (): Promise<HostStatusReply> => {
        try {
          const status = await host.request('status', {});
          return { state: host.state, hostVersion: host.hostVersion ?? status.version, readers: status.readers };
        } catch (e) {
          return { state: host.state, error: toPageError(e) };
        }
      })();
    }
    return undefined;
  });
});
