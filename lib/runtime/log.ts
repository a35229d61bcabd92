/** One-line runtime notices (backend fallbacks) on stderr; RSNA_MAMMO_QUIET=1 silences them. */
export function runtimeLog(line: string): void {
  if (process.env.RSNA_MAMMO_QUIET === '1') return;
  process.stderr.write(`rsna-mammo: ${line}\n`);
}
