// The extension packages: the Chrome Web Store zip and the Firefox .xpi, made
// with web-ext from the built extension in .output/, and the files with which
// the Debian package offers that same extension to the browsers that take it
// from the system. docs/packaging.md says what each browser accepts and why.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesUnder, run } from './files.mjs';

const CHROME_BUILD = '.output/chrome-mv3';
const FIREFOX_BUILD = '.output/firefox-mv3';
/**
 * Debian's chromium starts the browser with --load-extension for every entry
 * of this folder (/etc/chromium.d/extensions): an unpacked extension there is
 * loaded in every profile, with the id its manifest "key" fixes.
 */
export const CHROMIUM_EXTENSION_DIR = '/usr/share/chromium/extensions/eid-bridge';
/** Firefox's system add-on folder for Firefox itself (its application id); Debian's Firefox ESR loads unsigned add-ons from it. */
export const FIREFOX_SYSTEM_ADDONS_DIR = '/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}';

/** Writes both store packages into release and returns their paths by browser. */
export function buildExtensionPackages({ release, version }) {
  const packages = {};
  for (const [browser, sourceDir, file] of [
    ['chrome', CHROME_BUILD, `eid-bridge-${version}-chrome.zip`],
    ['firefox', FIREFOX_BUILD, `eid-bridge-${version}.xpi`],
  ]) {
    const manifestVersion = JSON.parse(readFileSync(join(sourceDir, 'manifest.json'), 'utf8')).version;
    if (manifestVersion !== version) throw new Error(`${sourceDir} is version ${manifestVersion}, the host ${version}: run npm run build`);
    run('npx', ['web-ext', 'build', '--source-dir', sourceDir, '--artifacts-dir', release, '--filename', file, '--overwrite-dest', '--no-config-discovery']);
    packages[browser] = join(release, file);
  }
  return packages;
}

/**
 * The files with which the Debian package offers the extension: the Chrome
 * build unpacked where Debian's chromium loads it, and the .xpi where Debian's
 * Firefox ESR loads it. Each is a file of the package's own (no policy file of
 * the administrator's or of another package is edited), so removing or purging
 * the package takes the extension away again.
 */
export function extensionSystemFiles({ packages }) {
  // Firefox loads an add-on from its system folder only from a file named after the add-on's id.
  const geckoId = JSON.parse(readFileSync(join(FIREFOX_BUILD, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;
  return [
    ...filesUnder(CHROME_BUILD).map((file) => ({ path: join(CHROMIUM_EXTENSION_DIR, relative(CHROME_BUILD, file)), content: readFileSync(file) })),
    { path: `${FIREFOX_SYSTEM_ADDONS_DIR}/${geckoId}.xpi`, content: readFileSync(packages.firefox) },
  ];
}
