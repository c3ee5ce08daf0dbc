/** One eid-bridge subcommand. `run` gets the arguments after the command name and returns the exit status. */
export interface CliCommand {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
