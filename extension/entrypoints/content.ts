/**
 * Runs on every https page (and http://localhost for developers): answers the
 * Web eID page protocol. window.eidBridge itself is a separate script the
 * background registers in the page's world on government and allowed origins
 * (background/page-api-registration.ts); this script carries its requests.
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import { browserApi } from '../lib/browser-api.js';
import { PAGE_PORT_NAME } from '../lib/messages.js';
import { PageBridge } from '../lib/page-bridge.js';
import { PagePortClient } from '../lib/page-port-client.js';
import { hasPageApi, loadSettings } from '../lib/settings.js';
import { PAGE_MATCHES } from '../lib/page-matches.js';

export default defineContentScript({
  matches: [...PAGE_MATCHES],
  runAt: 'document_start',
  main() {
    const origin = window.location.origin;
    // A sandboxed page has an opaque origin even though its URL names one.
    const opaqueOrigin = window.origin === 'null';
    const pageApi = loadSettings(browserApi).then((settings) => hasPageApi(origin, settings));
    const background = new PagePortClient(() => browserApi.connectRuntime(PAGE_PORT_NAME));
    const bridge = new PageBridge({
      // An opaque origin matches no target origin; the message goes to this same window either way.
      postToPage: (message) => window.postMessage(message, opaqueOrigin ? '*' : origin),
      sendToBackground: (message) => background.send(message),
      pageApiAllowed: () => pageApi,
      opaqueOrigin,
    });
    window.addEventListener('message', (event: MessageEvent) => {
      if (event.source !== window) return;
      bridge.onWindowMessage(event.data);
    });
  },
});
