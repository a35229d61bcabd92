/**
 * One-line notices of a command (what it converts, which fallback it takes) on stderr.
 * RSNA_MAMMO_QUIET=1 silences them, as it silences the runtime's notices; errors, warnings that
 * change the meaning of the output and the results themselves always print.
 */
import type { CliIO } from './command';

export function noticeLog(io: CliIO): (line: string) => void {
  return (line) => {
    if (process.env.RSNA_MAMMO_QUIET !== '1') io.stderr.write(`${line}\n`);
  };
}
