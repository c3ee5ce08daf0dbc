/** The pages the content script runs on: every https page, and http only on the local machine for developers (when the setting allows it). */
export const PAGE_MATCHES: readonly string[] = ['https://*/*', 'http://localhost/*', 'http://127.0.0.1/*'];
