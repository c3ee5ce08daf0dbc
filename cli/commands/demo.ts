/** eid-bridge demo: a whole login (eID, or itsme at a stand-in provider) against the reference backend, in Chromium or Firefox. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDemo, type DemoKey } from '../../devtools/demo/run-demo.js';
import { projectRoot } from '../host-registration.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT_USAGE, exitWith } from '../cli-command.js';

const USAGE = `Usage: eid-bridge demo [--key eid|itsme] [--browser chromium|firefox] [--headless] [--port 8443]

Starts the virtual card (unless a Belgian eID card is in a reader), the reference
backend and the browser with the extension, on the backend's login page. With a
display you log in yourself; without one (or with --headless) the demo logs in
by itself and prints who is logged in. Ctrl-C stops everything it started.

--key itsme starts a stand-in itsme provider (for demos only, not the real
itsme) instead of the card, configures the backend for it, and logs in with
"LOG IN via itsme": the phone number, then the stand-in phone's "I log in"
and 5-digit code.`;

const KEYS: DemoKey[] = ['eid', 'itsme'];

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'A whole login (eID, or itsme at a stand-in provider) against the reference backend, in Chromium or Firefox',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        key: { type: 'string', default: 'eid' },
        browser: { type: 'string', default: 'chromium' },
        headless: { type: 'boolean' },
        port: { type: 'string', default: '8443' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (values.browser !== 'chromium' && values.browser !== 'firefox') {
      return exitWith(EXIT_USAGE, 'demo', `--browser must be chromium or firefox\n\n${USAGE}`);
    }
    if (!KEYS.includes(values.key as DemoKey)) {
      return exitWith(EXIT_USAGE, 'demo', `--key must be ${KEYS.join(' or ')}\n\n${USAGE}`);
    }
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      console.error('eid-bridge demo: --port must be a port number');
      return 2;
    }
    const root = projectRoot();
    const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
    const code = await runDemo({
      browser: values.browser,
      key: values.key as DemoKey,
      headless: values.headless === true || !hasDisplay,
      port,
      root,
      stateDir: join(root, '.tmp', 'demo'),
      screenshotDir: join(root, 'test-artifacts', 'demo'),
    });
    // Everything the demo started is stopped; a driver or native binding that keeps a handle open
    // must not keep the command running after it has said it is done.
    process.stdout.write('', () => process.exit(code));
    return code;
  },
};
