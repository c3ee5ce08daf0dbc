/**
 * eid-bridge: the one command-line tool, as developers run it from the
 * repository (the installed package runs cli/packaged-main.ts). Each
 * subcommand lives in cli/commands/<name>.ts and is listed here.
 */
import { backendCommand } from './commands/backend.js';
import { demoCommand } from './commands/demo.js';
import { installHostCommand } from './commands/install-host.js';
import { readIdentityCommand } from './commands/read-identity.js';
import { signPdfCommand } from './commands/sign-pdf.js';
import { statusCommand } from './commands/status.js';
import { uninstallHostCommand } from './commands/uninstall-host.js';
import { verifyCommand } from './commands/verify.js';
import { verifyPdfCommand } from './commands/verify-pdf.js';
import { virtualCardCommand } from './commands/virtual-card.js';
import { runCommandLine } from './run-cli.js';

runCommandLine({
  commands: [statusCommand, readIdentityCommand, verifyCommand, signPdfCommand, verifyPdfCommand, virtualCardCommand, installHostCommand, uninstallHostCommand, backendCommand, demoCommand],
});
