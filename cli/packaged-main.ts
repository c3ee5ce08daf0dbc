/**
 * eid-bridge as the installed package offers it: the commands a person
 * needs with a card and a browser. The developer commands need the
 * repository's development tools, which never ship; asked for, they say so.
 */
import { EXIT_USAGE, exitWith, type CliCommand } from './cli-command.js';
import { installHostCommand } from './commands/install-host.js';
import { readIdentityCommand } from './commands/read-identity.js';
import { signPdfCommand } from './commands/sign-pdf.js';
import { statusCommand } from './commands/status.js';
import { uninstallHostCommand } from './commands/uninstall-host.js';
import { verifyCommand } from './commands/verify.js';
import { verifyPdfCommand } from './commands/verify-pdf.js';
import { runCommandLine } from './run-cli.js';

const DEVELOPER_COMMANDS = ['virtual-card', 'backend', 'demo'];

const WHERE = "come with the developer set-up (eID Bridge's source repository and its README), not with the installed package";

const comesWithDeveloperSetUp = (name: string): CliCommand => ({
  name,
  summary: 'developer set-up only',
  async run() {
    return exitWith(EXIT_USAGE, name, `this command and the other developer commands ${WHERE}.`);
  },
});

runCommandLine({
  commands: [statusCommand, readIdentityCommand, verifyCommand, signPdfCommand, verifyPdfCommand, installHostCommand, uninstallHostCommand],
  notes: [`The developer commands (${DEVELOPER_COMMANDS.join(', ')}) ${WHERE}.`],
  elsewhere: DEVELOPER_COMMANDS.map(comesWithDeveloperSetUp),
});
