/** Progress display: a redrawn bar with images/s and ETA on a TTY, plain log lines otherwise. */
import t from 'tap';
import { Writable } from 'stream';
import { createProgress, formatDuration, progressText } from '../../lib/run/progress';

function stream(tty: boolean): { s: Writable & { isTTY?: boolean; columns?: number }; text: () => string } {
  let text = '';
  const s: Writable & { isTTY?: boolean; columns?: number } = new Writable({ write(c, _e, cb) { text += String(c); cb(); } });
  s.isTTY = tty;
  s.columns = 100;
  return { s, text: () => text };
}

t.test('durations and the line text (rate and ETA from counts and elapsed time)', async (t) => {
  t.equal(formatDuration(12.4), '12s');
  t.equal(formatDuration(187), '3m07s');
  t.equal(formatDuration(3720), '1h02m');
  t.equal(formatDuration(NaN), '--');
  // 25 of 100 done in 10 s: 2.5 img/s, 75 left → 30 s.
  t.equal(progressText({ done: 24, failed: 1, total: 100 }, 10), '25/100 (25.0%, 1 failed)  2.50 img/s  ETA 30s');
});

t.test('TTY: one redrawn line with a bar; non-TTY: log lines at most every logEveryMs', async (t) => {
  let clock = 0;
  const tty = stream(true);
  const p = createProgress({ stream: tty.s, now: () => clock, label: 'x' });
  clock = 1000;
  p.update({ done: 1, failed: 0, total: 4 });
  clock = 2000;
  p.finish({ done: 4, failed: 0, total: 4 });
  t.match(tty.text(), /^\rx \[#+\.+\] 1\/4 \(25\.0%\)  1\.00 img\/s  ETA 3s\x1b\[K\rx \[#+\] 4\/4 \(100\.0%\)  2\.00 img\/s  ETA 0s\x1b\[K\n$/);

  clock = 0;
  const log = stream(false);
  const q = createProgress({ stream: log.s, now: () => clock, logEveryMs: 10_000 });
  for (let i = 1; i <= 30; i++) {
    clock = i * 1000;
    q.update({ done: i, failed: 0, total: 30 });
  }
  q.finish({ done: 30, failed: 0, total: 30 });
  const lines = log.text().trim().split('\n');
  t.same(lines.map((l) => l.split(':')[0]), ['images', 'images', 'images', 'images']);
  t.match(lines[0], /^images: 1\/30 \(3\.3%\)  1\.00 img\/s  ETA 29s$/);
  t.match(lines[3], /^images: 30\/30 \(100\.0%\)  1\.00 img\/s  ETA 0s in 30s$/);
  t.notMatch(log.text(), /\r|\x1b/, 'no control characters in logs');
});

t.test("dataset preparation's reporter (lib/data/workPool streamProgress) is the same display", async (t) => {
  const { streamProgress } = await import('../../lib/data/workPool');
  const log = stream(false);
  const p = streamProgress(log.s);
  p.update('stage2', 1, 4, 1, 0);
  p.log('stage2: a.dcm: bad pixels');
  p.update('stage2', 4, 4, 1, 1);
  p.finish('stage2');
  const lines = log.text().trimEnd().split('\n');
  t.match(lines[0], /^stage2: 1\/4 \(25\.0%, 1 skipped\)  0\.00 img\/s/, 'the first line (skipped ones are not in the rate)');
  t.equal(lines[1], 'stage2: a.dcm: bad pixels');
  t.match(lines[lines.length - 1], /^stage2: 4\/4 \(100\.0%, 1 skipped, 1 failed\)  [\d.]+ img\/s  ETA 0s in \d+s$/, 'the final line');
  const tty = stream(true);
  const q = streamProgress(tty.s);
  q.update('x', 1, 2, 0, 0);
  q.log('note');
  t.match(tty.text(), /\x1b\[K\nnote\n$/, 'a message ends the bar line first');
});
