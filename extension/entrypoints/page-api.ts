/**
 * window.eidBridge: our own page API with typed promises. The background
 * registers this script in the page's own world on government origins and
 * origins the person added (background/page-api-registration.ts); it talks to
 * the content script with window messages.
 */
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import type { EidBridgePageApi } from '../lib/page-api-types.js';
import { createPageApi } from '../lib/page-api.js';

declare global {
  interface Window {
    eidBridge?: EidBridgePageApi;
  }
}

export default defineUnlistedScript(() => {
  if (window.eidBridge) return;
  const api = createPageApi(window);
  Object.defineProperty(window, 'eidBridge', { value: api, enumerable: true, configurable: false, writable: false });
  window.dispatchEvent(new Event('eidbridge:ready'));
});
