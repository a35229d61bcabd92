/**
 * The CLI's exit codes, one meaning each (README "Exit codes"). Scripts can rely on them.
 */
export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** The command failed (a typed error on stderr): nothing, or nothing usable, was produced. */
  FAILURE: 1,
  /** Usage error: unknown command or option, missing or malformed argument; the usage is printed. */
  USAGE: 2,
  /** The run finished and wrote its files, but some images could not be predicted (see errors.csv). */
  PARTIAL: 3,
} as const;

/** The exit code of a run that predicted `ok` images and failed on `failed` images. */
export function runExitCode(ok: number, failed: number): number {
  if (failed === 0) return EXIT.OK;
  return ok > 0 ? EXIT.PARTIAL : EXIT.FAILURE;
}
