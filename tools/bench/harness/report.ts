/**
 * Result writers: the JSON file (schema rsna-mammo-bench/2), a Markdown table and one SVG chart
 * (ratio original ÷ rsna-mammo per row, log scale, 1 thread vs all cores), written by our own code.
 */
import fs from 'fs';
import path from 'path';
import { WIDE_SPREAD } from './compare';
import { BenchResult, StageRow } from './types';

const num = (v: number | null, digits = 1): string => (v === null ? '—' : v.toFixed(digits));
const ratioText = (r: number | null): string => (r === null ? '—' : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`);

/** The ratio cell: median pair ratio, the pairs' range, and a mark when their spread is too wide. */
function ratioCell(r: StageRow): string {
  if (r.ratio === null) return '—';
  const range = r.ratio_range ? ` (${r.ratio_range[0].toFixed(2)}–${r.ratio_range[1].toFixed(2)}, ${r.ratio_pairs} pairs)` : '';
  return `${ratioText(r.ratio)}${range}${r.wide_spread ? ' **wide**' : ''}`;
}

function cpuCell(r: StageRow): string {
  if (r.rsna_mammo_cpu_ms == null && r.python_original_cpu_ms == null) return '';
  return `${num(r.rsna_mammo_cpu_ms ?? null, 0)} / ${num(r.python_original_cpu_ms ?? null, 0)}${r.cpu_ratio ? ` (${ratioText(r.cpu_ratio)})` : ''}`;
}

function gflopsCell(r: StageRow): string {
  const g = r.gflops;
  if (!g) return '';
  const side = (v: number | null, share: number | null): string => (v === null ? '—' : `${v.toFixed(0)}${share === null ? '' : ` (${(share * 100).toFixed(0)} %)`}`);
  return `${side(g.rsna_mammo, g.rsna_mammo_share)} / ${side(g.python_original, g.python_original_share)}`;
}

function sameText(row: StageRow): string {
  if (row.status !== 'ok') return row.status;
  if (row.same_output === null) return '—';
  return row.same_output ? 'yes' : '**NO**';
}

/** The Markdown table (one line per row) plus the notes. */
export function markdownTable(result: BenchResult): string {
  const lines = [
    `# rsna-mammo bench — ${result.mode} mode, ${result.started}`,
    '',
    `Machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.totalMemMb} MB, Node ${result.machine.node}, ` +
      `load average ${result.machine.loadAverage[0]} → ${result.machine.loadAverage[1]}. ` +
      `The two sides ran interleaved (A B A B …: repeat r of rsna-mammo, then repeat r of the original, never at the same time), ` +
      `pinned to the same CPUs; ratio = median over those pairs of original ms ÷ rsna-mammo ms (above 1: rsna-mammo faster), ` +
      `with the pairs' range; **wide** marks a row whose pair ratios spread more than ${Math.round(WIDE_SPREAD * 100)} % of their median. ` +
      `ms = per item (per batch for the sweep), median of repeats.`,
    '',
    fmaLine(result),
    '',
    'CPU ms = user + system time of the side\'s process (all its threads) per repeat; at one thread it is what load from other processes moves least.',
    '',
    '| stage | input | threads | rsna-mammo ms | original ms | ratio (range, pairs) | CPU ms ours / orig (ratio) | same output | peak RSS MB (ours / orig) | load avg | GFLOP/s (% of FMA peak) ours / orig |',
    '|---|---|---:|---:|---:|---:|---:|---|---:|---|---:|',
  ];
  for (const r of result.rows) {
    const rss = `${num(r.rsna_mammo_peak_rss_mb, 0)} / ${num(r.python_original_peak_rss_mb, 0)}`;
    const load = r.load_average ? `${r.load_average[0].toFixed(2)} → ${r.load_average[1].toFixed(2)}` : '';
    lines.push(
      `| ${r.stage} | ${r.input} | ${r.threads} | ${num(r.rsna_mammo_ms)} | ${num(r.python_original_ms)} | ${ratioCell(r)} | ${cpuCell(r)} | ${sameText(r)} | ${rss} | ${load} | ${gflopsCell(r)} |`,
    );
  }
  const reasons = result.rows.filter((r) => r.reason);
  if (reasons.length) {
    lines.push('', 'Rows not measured on both sides:', '');
    const seen = new Set<string>();
    for (const r of reasons) {
      const line = `- ${r.stage} (${r.input}): ${r.reason}`;
      if (!seen.has(line.replace(/\d+ threads?/, ''))) lines.push(line);
      seen.add(line.replace(/\d+ threads?/, ''));
    }
  }
  const diffs = result.rows.filter((r) => r.comparison && r.status === 'ok');
  if (diffs.length) {
    lines.push('', 'Output comparison per row:', '');
    for (const r of diffs) lines.push(`- ${r.stage}, ${r.input}, ${r.threads} thread(s): ${r.comparison}`);
  }
  if (result.notes.length) lines.push('', ...result.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

function fmaLine(result: BenchResult): string {
  const f = result.fmaPeak;
  if (!f) return 'fp32 FMA peak: not measured.';
  if ('unavailable' in f) return `fp32 FMA peak: not measured (${f.unavailable}).`;
  const per = Object.entries(f.gflops).map(([t, g]) => `${g.toFixed(0)} GFLOP/s at ${t} thread${t === '1' ? '' : 's'}`).join(', ');
  return `fp32 FMA peak of this machine (tools/bench/fma, ${f.isa}, accumulators in registers): ${per}.`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Horizontal bars of log10(ratio) per measured row, one bar per thread count. */
export function ratioChartSvg(result: BenchResult): string {
  const rows = result.rows.filter((r) => r.ratio !== null);
  const labels = [...new Set(rows.map((r) => `${r.stage}: ${r.input}`))];
  const threads = result.threadCounts;
  const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759'];
  const barH = 12;
  const groupH = barH * threads.length + 8;
  const left = 430;
  const width = 900;
  const plotW = width - left - 40;
  const top = 50;
  const height = top + labels.length * groupH + 50;
  const ratios = rows.map((r) => r.ratio as number);
  const lo = Math.min(-1, Math.floor(Math.log10(Math.min(...ratios, 1))));
  const hi = Math.max(1, Math.ceil(Math.log10(Math.max(...ratios, 1))));
  const x = (ratio: number): number => left + ((Math.log10(ratio) - lo) / (hi - lo)) * plotW;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="14">rsna-mammo vs the original (Python), ${esc(result.mode)} mode, ${esc(result.started)}</text>`,
    `<text x="10" y="34">ratio = original ms ÷ rsna-mammo ms, log scale; right of 1× = rsna-mammo faster; rows whose outputs differ have no bar</text>`,
  ];
  for (let e = lo; e <= hi; e++) {
    const gx = x(10 ** e);
    out.push(`<line x1="${gx}" y1="${top - 5}" x2="${gx}" y2="${height - 40}" stroke="${e === 0 ? '#000' : '#ccc'}"/>`);
    out.push(`<text x="${gx}" y="${height - 25}" text-anchor="middle">${10 ** e}×</text>`);
  }
  labels.forEach((label, i) => {
    const gy = top + i * groupH;
    out.push(`<text x="${left - 6}" y="${gy + groupH / 2}" text-anchor="end">${esc(label.length > 70 ? `${label.slice(0, 67)}…` : label)}</text>`);
    threads.forEach((t, k) => {
      const row = rows.find((r) => `${r.stage}: ${r.input}` === label && r.threads === t);
      if (!row) return;
      const x0 = x(1);
      const x1 = x(row.ratio as number);
      const y = gy + k * barH;
      out.push(
        `<rect x="${Math.min(x0, x1)}" y="${y}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${barH - 2}" fill="${colors[k % colors.length]}"${row.wide_spread ? ' fill-opacity="0.35"' : ''}>` +
          `<title>${esc(`${label}, ${t} thread(s): ${ratioText(row.ratio)}`)}</title></rect>`,
      );
      out.push(`<text x="${Math.max(x0, x1) + 3}" y="${y + barH - 3}" font-size="9">${ratioText(row.ratio)}${row.wide_spread ? ' (wide spread)' : ''}</text>`);
    });
  });
  threads.forEach((t, k) => {
    out.push(`<rect x="${left + k * 120}" y="${height - 15}" width="10" height="10" fill="${colors[k % colors.length]}"/>`);
    out.push(`<text x="${left + k * 120 + 14}" y="${height - 6}">${t} thread${t === 1 ? '' : 's'}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Writes `<stamp>.json`, `<stamp>.md` and `<stamp>.svg` under `dir`; returns their paths. */
export function writeResults(result: BenchResult, dir: string): { json: string; md: string; svg: string } {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = `${result.mode}-${result.started.replace(/[:.]/g, '-')}`;
  const files = { json: path.join(dir, `${stamp}.json`), md: path.join(dir, `${stamp}.md`), svg: path.join(dir, `${stamp}.svg`) };
  fs.writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(files.md, markdownTable(result));
  fs.writeFileSync(files.svg, ratioChartSvg(result));
  return files;
}
