/**
 * Runs on every https page (and http://localhost for developers): answers the
 * Web eID page protocol, and on government and allowed origins injects
 * window.eidBridge into the page.
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import { browserApi } from '../lib/browser-api.js';
import type { PageReply } from '../lib/messages.js';
import { PageBridge } from '../lib/page-bridge.js';
import { hasPageApi, loadSettings } from '../lib/settings.js';

export default defineContentScript({
  matches: ['https://*/*', 'http://localhost/*', 'http://127.0.0.1/*'],
  runAt: 'document_start',
  main() {
    const origin = window.location.origin;
    let pageApi = false;
    const bridge = new PageBridge({
      postToPage: (message) => window.postMessage(message, origin),
      sendToBackground: (message) => browserApi.sendRuntimeMessage(message) as Promise<PageReply>,
      pageApiAllowed: () => pageApi,
    });
    window.addEventListener('message', (event: MessageEvent) => {
      if (event.source !== window) return;
      bridge.onWindowMessage(event.data);
    });
    void loadSettings(browserApi).then((settings) => {
      if (!hasPageApi(origin, settings)) return;
      pageApi = true;
      const script = document.createElement('script');
      script.src = browserApi.extensionUrl('/page-api.js');
      script.onload = () => script.remove();
      (document.head ?? document.documentElement).append(script);
    });
  },
});
