/** eid-bridge uninstall-host: removes the native host's registration from one or more browsers. */
import type { CliCommand } from '../cli-command.js';
import { parseRegistrationArgs, uninstallHost } from '../host-registration.js';

export const uninstallHostCommand: CliCommand = {
  name: 'uninstall-host',
  summary: 'Remove the native host registration from a browser',
  async run(argv) {
    const parsed = parseRegistrationArgs('uninstall-host', argv);
    if (typeof parsed === 'number') return parsed;
    for (const browser of parsed.browsers) {
      const removed = uninstallHost({ ...parsed.common, browser });
      console.log(removed.length ? removed.map((p) => `${browser}: removed ${p}`).join('\n') : `${browser}: nothing installed`);
    }
    return 0;
  },
};
