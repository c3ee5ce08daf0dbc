import { defineConfig } from 'wxt';
import { CHROME_EXTENSION_PUBLIC_KEY, GECKO_EXTENSION_ID } from './shared/native-host-name.js';
import { PAGE_MATCHES } from './extension/lib/page-matches.js';

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
    // nativeMessaging: the card host; storage: settings; scripting: window.eidBridge is
    // registered in the page's world on the government and added origins only
    // (background/page-api-registration.ts). A registered script runs only where the
    // extension holds host permission, so the host permissions are the pages the content
    // script is declared on anyway; nothing is web-accessible (see extension/README.md).
    permissions: ['nativeMessaging', 'storage', 'scripting'],
    host_permissions: [...PAGE_MATCHES],
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
