/**
 * Progress of a long run: a redrawn bar with images/s and ETA on a TTY, plain log lines otherwise
 * (one every `logEveryMs`, plus the last), so CI logs and redirected output stay readable.
 */

/** Counts shown by the progress display. */
export interface ProgressCounts {
  /** Finished without failure (skipped ones included). */
  done: number;
  failed: number;
  total: number;
  /** Of `done`, those skipped without work (already present): shown, and left out of the rate. */
  skipped?: number;
}

/** A progress display. */
export interface Progress {
  update(counts: ProgressCounts): void;
  /** A message on its own line (a TTY bar is ended first and redrawn by the next update). */
  log(message: string): void;
  /** Final line (newline on a TTY). */
  finish(counts: ProgressCounts): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Label before the bar. */
  label?: string;
  /** Minimum time between plain log lines (non-TTY); default 10 s. */
  logEveryMs?: number;
  /** Clock for tests. */
  now?: () => number;
}

/** Formats seconds as `1h02m`, `3m07s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

/** The text of one progress line (without bar): counts, rate and ETA. */
export function progressText(c: ProgressCounts, elapsedS: number): string {
  const finished = c.done + c.failed;
  const skipped = c.skipped ?? 0;
  const rate = elapsedS > 0 ? (finished - skipped) / elapsedS : 0;
  const eta = rate > 0 ? (c.total - finished) / rate : NaN;
  const pct = c.total > 0 ? ((100 * finished) / c.total).toFixed(1) : '100.0';
  const notes = `${skipped > 0 ? `, ${skipped} skipped` : ''}${c.failed > 0 ? `, ${c.failed} failed` : ''}`;
  return `${finished}/${c.total} (${pct}%${notes})  ${rate.toFixed(2)} img/s  ETA ${formatDuration(eta)}`;
}

/** Creates the display for `stream` (bar when `stream.isTTY`, log lines otherwise). */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const label = options.label ?? 'images';
  const tty = Boolean(options.stream.isTTY);
  const every = options.logEveryMs ?? 10_000;
  let lastLog = -Infinity;
  let drawn = false;  // a TTY bar is on the current line
  const draw = (c: ProgressCounts, final: boolean): void => {
    const elapsed = (now() - start) / 1000;
    const text = progressText(c, elapsed);
    if (tty) {
      const width = Math.max(10, Math.min(40, (options.stream.columns ?? 80) - text.length - label.length - 6));
      const frac = c.total > 0 ? (c.done + c.failed) / c.total : 1;
      const full = Math.round(frac * width);
      options.stream.write(`\r${label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${text}\x1b[K${final ? '\n' : ''}`);
      drawn = !final;
    } else if (final || now() - lastLog >= every) {
      lastLog = now();
      options.stream.write(`${label}: ${text}${final ? ` in ${formatDuration(elapsed)}` : ''}\n`);
    }
  };
  let lastDraw = -Infinity;
  return {
    update(c) {
      // Redraw the bar at most ~10 times a second.
      if (tty && now() - lastDraw < 100) return;
      lastDraw = now();
      draw(c, false);
    },
    log(message) {
      if (drawn) options.stream.write('\n');
      drawn = false;
      lastDraw = -Infinity;
      options.stream.write(`${message}\n`);
    },
    finish(c) {
      draw(c, true);
    },
  };
}
