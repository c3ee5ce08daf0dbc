/** How eID Bridge starts Chromium with the unpacked extension: the demo, the benchmarks and the tests. */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumExtensionArgs(extensionDir: string): string[] {
  return [
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    // As root (CI, containers) Chromium does not start with its sandbox.
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    // Without these Chromium keeps reaching for Google's services, which a closed network refuses.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    // The local sites (test sites, the reference backend) use self-signed certificates made for them.
    '--ignore-certificate-errors',
  ];
}
