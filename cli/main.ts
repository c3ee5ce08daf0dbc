/**
 * eid-bridge: the one command-line tool. Each subcommand lives in
 * cli/commands/<name>.ts and is listed here.
 */
import type { CliCommand } from './cli-command.js';
import { backendCommand } from './commands/backend.js';
import { demoCommand } from './commands/demo.js';
import { installHostCommand } from './commands/install-host.js';
import { readIdentityCommand } from './commands/read-identity.js';
import { statusCommand } from './commands/status.js';
import { uninstallHostCommand } from './commands/uninstall-host.js';
import { verifyCommand } from './commands/verify.js';
import { virtualCardCommand } from './commands/virtual-card.js';

const commands: CliCommand[] = [statusCommand, readIdentityCommand, verifyCommand, virtualCardCommand, installHostCommand, uninstallHostCommand, backendCommand, demoCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: eid-bridge <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "eid-bridge <command> --help" for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    const { VERSION } = await import('../shared/version.js');
    console.log(VERSION);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`eid-bridge: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`eid-bridge: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
