/** eid-bridge install-host: registers the native host with one or more browsers (cli/host-registration.ts). */
import type { CliCommand } from '../cli-command.js';
import { installHost, parseRegistrationArgs } from '../host-registration.js';

export const installHostCommand: CliCommand = {
  name: 'install-host',
  summary: 'Register the native host with Chrome, Chromium, Edge, Brave or Firefox',
  async run(argv) {
    const parsed = parseRegistrationArgs('install-host', argv);
    if (typeof parsed === 'number') return parsed;
    for (const browser of parsed.browsers) {
      const result = installHost({ ...parsed.common, browser });
      console.log(`${browser}: host manifest ${result.manifestPath}`);
      if (result.launcherPath) console.log(`${browser}: launcher ${result.launcherPath}`);
      if (result.registryKey) console.log(`${browser}: registry ${result.registryKey}`);
    }
    console.log('Restart the browser (or reload the page) to use eID Bridge.');
    return 0;
  },
};
