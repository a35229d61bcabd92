/**
 * The shape of one CLI command. Commands live one per file in lib/cli/commands/ and are found by
 * main.ts at run time, so adding a command never edits a shared list.
 */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CliCommand {
  /** Words that select the command, e.g. `['dicom', 'decode']`. */
  path: string[];
  /** One line for `rsna-mammo --help`. */
  summary: string;
  /** Full usage text for `rsna-mammo <command> --help`. */
  usage: string;
  /** The command needs the CPU addon: the CLI checks it loads (ERR_ADDON_MISSING) before `run`. */
  needsAddon?: boolean;
  /** Runs the command with the arguments after its path; resolves to an exit code of lib/cli/exitCodes.ts. */
  run(args: string[], io: CliIO): Promise<number>;
}
