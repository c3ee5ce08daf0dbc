import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One eid-bridge subcommand. `run` gets the arguments after the command name and returns the exit status. */
export interface CliCommand {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** Exit status of every command: 0 done, 1 the work failed (card not read, data not verified), 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * Tells the person what went wrong, as "eid-bridge <command>: <message>" on
 * standard error, and returns the exit status the command ends with.
 */
export function exitWith(status: number, command: string, message: string): number {
  console.error(`eid-bridge ${command}: ${message}`);
  return status;
}

type ParsedCommandLine<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/**
 * Parses a command's options, with `--help`/`-h` added. Returns the exit
 * status instead when there is nothing more to do: 0 after printing the usage
 * for --help, 2 after printing the mistake and the usage.
 */
export function parseCommandLine<T extends ParseArgsConfig>(command: string, usage: string, config: T): ParsedCommandLine<T> | number {
  const withHelp = { ...config, options: { ...config.options, help: { type: 'boolean', short: 'h' } } } as T;
  let parsed: ParsedCommandLine<T>;
  try {
    parsed = parseArgs(withHelp);
  } catch (e) {
    return exitWith(EXIT_USAGE, command, `${e instanceof Error ? e.message : String(e)}\n\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return EXIT_OK;
  }
  return parsed;
}
