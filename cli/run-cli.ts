/**
 * The part every eid-bridge entry shares: the usage, --version, and running
 * one command of its list with the exit status it returns. cli/main.ts runs
 * the developer's list, cli/packaged-main.ts the installed package's.
 */
import { VERSION } from '../shared/version.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliCommand } from './cli-command.js';

export interface CommandList {
  commands: CliCommand[];
  /** Printed under the command list. */
  notes?: string[];
  /** Answered but not listed: commands of another set-up, each saying where it is found. */
  elsewhere?: CliCommand[];
}

export function usage({ commands, notes = [] }: CommandList): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: eid-bridge <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...notes.flatMap((note) => [note, '']),
    'Run "eid-bridge <command> --help" for the options of one command.',
  ].join('\n');
}

/** Runs the command named first in argv (or prints the usage or the version) and returns the exit status. */
export async function runCommand(list: CommandList, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage(list));
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === '--version') {
    console.log(VERSION);
    return EXIT_OK;
  }
  const command = [...list.commands, ...(list.elsewhere ?? [])].find((c) => c.name === name);
  if (!command) {
    console.error(`eid-bridge: unknown command "${name}"\n\n${usage(list)}`);
    return EXIT_USAGE;
  }
  return command.run(rest);
}

/** The process's command line, run: the exit status becomes the process's. */
export function runCommandLine(list: CommandList): void {
  runCommand(list, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`eid-bridge: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = EXIT_FAILED;
    },
  );
}
