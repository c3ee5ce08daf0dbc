import { defineConfig } from 'wxt';
import { CHROME_EXTENSION_PUBLIC_KEY, GECKO_EXTENSION_ID } from './shared/native-host-name.js';

/** Pages the content script runs on; http only for local development (and then only when the setting allows it). */
const PAGE_MATCHES = ['https://*/*', 'http://localhost/*', 'http://127.0.0.1/*'];

export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  // Chrome MV3 (service worker) and Firefox MV3 (event page) from the same sources.
  manifestVersion: 3,
  imports: false,
  vite: () => ({
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  }),
  manifest: ({ browser }) => ({
    name: 'eID Bridge',
    description: 'Log in and sign on Belgian government websites with your eID card.',
    // nativeMessaging: the card host; storage: settings. No host permissions: the
    // content script is declared statically and needs none.
    permissions: ['nativeMessaging', 'storage'],
    web_accessible_resources: [{ resources: ['page-api.js'], matches: PAGE_MATCHES }],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: GECKO_EXTENSION_ID,
              strict_min_version: '128.0',
              // Nothing leaves the computer except to the page that asks, at the person's request.
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : { key: CHROME_EXTENSION_PUBLIC_KEY }),
  }),
});
