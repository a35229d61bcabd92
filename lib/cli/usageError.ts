/**
 * Usage errors in the project's words. util.parseArgs throws TypeErrors whose messages speak of
 * "positional arguments" and quoting rules; the CLI turns them into one short line plus the command's
 * usage, with one exit code (EXIT.USAGE).
 */
/**
 * Codes that mean "the command line was wrong" (the CLI then prints the usage and exits EXIT.USAGE):
 * util.parseArgs' ERR_PARSE_ARGS_*, our ERR_INVALID_ARGUMENT (the argument checks of every command and
 * of the API functions they call) and ERR_USAGE.
 */
export function isUsageError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code === 'ERR_USAGE' || code === 'ERR_INVALID_ARGUMENT' || code.startsWith('ERR_PARSE_ARGS_'));
}

/** One line for a usage error; util.parseArgs' own wording is replaced by ours. */
export function usageMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  const option = /'(-{1,2}[^']*?)(?: <value>)?'/.exec(message)?.[1];
  switch (e?.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message) ? `option ${option ?? ''} takes no value` : `option ${option ?? ''} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /argument '([^']*)'/.exec(message)?.[1];
      return `unexpected argument ${arg !== undefined ? `"${arg}"` : ''}: this command takes options only`.replace('  ', ' ');
    }
    default:
      return message;
  }
}
