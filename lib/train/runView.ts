/**
 * The live view of `rsna-mammo train run`: one line per job (status, epoch, loss, img/s, ETA). On a
 * TTY the block is redrawn in place (at most 4 times a second); otherwise a plain line is printed when
 * a job starts, finishes an epoch, ends or fails, so logs stay readable.
 */

export interface JobProgress {
  id: string;
  label: string;
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  slot: string | null;
  epoch: number | null;
  epochs: number | null;
  iter: number | null;
  iters: number | null;
  loss: number | null;
  imgPerSec: number | null;
  etaSec: number | null;
  note: string | null;
}

export function formatDuration(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '-';
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

export function formatJobLine(p: JobProgress): string {
  const parts = [`${p.label.padEnd(40)} ${p.status.padEnd(7)}`];
  if (p.slot) parts.push(`[${p.slot}]`);
  // Epochs counted from 1 here (checkpoint-{e} names count from 0).
  if (p.epoch !== null) parts.push(`epoch ${p.epoch + 1}${p.epochs !== null ? `/${p.epochs}` : ''}`);
  if (p.iter !== null && p.iters !== null) parts.push(`it ${p.iter}/${p.iters}`);
  if (p.loss !== null) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.imgPerSec !== null) parts.push(`${p.imgPerSec.toFixed(1)} img/s`);
  if (p.status === 'running') parts.push(`ETA ${formatDuration(p.etaSec)}`);
  if (p.note) parts.push(p.note);
  return parts.join('  ');
}

export class RunView {
  private readonly jobs = new Map<string, JobProgress>();
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, private readonly live = Boolean(out.isTTY)) {}

  add(p: JobProgress): void {
    this.jobs.set(p.id, p);
  }

  /** Updates a job; `announce` prints a plain line when not live (epoch ends, status changes). */
  update(id: string, patch: Partial<JobProgress>, announce = false): void {
    const p = { ...(this.jobs.get(id) as JobProgress), ...patch };
    this.jobs.set(id, p);
    if (!this.live) {
      if (announce) this.out.write(`${formatJobLine(p)}\n`);
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.draw(), 250);
  }

  /** Redraws the block now (TTY) — also the final picture. */
  draw(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.live) return;
    const lines = [...this.jobs.values()].map(formatJobLine);
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.out.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawn = lines.length;
  }

  /** A message above the live block (or a plain line). */
  log(text: string): void {
    if (this.live && this.drawn > 0) {
      this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
      this.drawn = 0;
    }
    this.out.write(`${text}\n`);
    if (this.live) this.draw();
  }

  close(): void {
    this.draw();
  }
}
