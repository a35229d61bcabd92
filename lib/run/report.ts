/**
 * A self-contained HTML report of a run: per breast the mean and the label, per image a thumbnail
 * with the ROI box, the classifier input (the crop after windowing and resize), the fold
 * probabilities, decoder and timings. Thumbnails are inline PNGs (fast-png), no external files.
 */
import { encode } from 'fast-png';
import type { BreastPrediction } from '../pipeline/aggregate';
import type { GreyPicture, ImageFailure, ImagePrediction } from '../pipeline/types';

/** What the report shows. */
export interface ReportInput {
  title: string;
  /** Shown in bold red at the top when set (e.g. untrained demo weights). */
  warning?: string;
  /** One line each: models, ROI method, threshold… */
  facts: string[];
  breasts: BreastPrediction[];
  threshold: number;
  images: ImagePrediction<{ imageId: string; predictionId: string; laterality: string }>[];
  failures: ImageFailure<{ imageId: string; predictionId: string }>[];
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A grey picture as a `data:image/png` URI. */
export function pngDataUri(p: GreyPicture): string {
  const png = encode({ width: p.width, height: p.height, data: p.data, channels: 1, depth: 8 });
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

function imageCard(r: ReportInput['images'][number]): string {
  const tag = r.tag!;
  const folds = r.foldProbabilities.map((p, k) => `<tr><td>fold ${k}</td><td>${p.toFixed(6)}</td></tr>`).join('');
  let pictures = '<p class="muted">no thumbnails</p>';
  if (r.preview) {
    const { image, input, scale } = r.preview;
    const [x0, y0, x1, y1] = r.roi.box.map((v) => v * scale);
    pictures =
      `<figure><svg width="${image.width}" height="${image.height}" viewBox="0 0 ${image.width} ${image.height}">` +
      `<image href="${pngDataUri(image)}" width="${image.width}" height="${image.height}"/>` +
      `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#ff3b30" stroke-width="2"/></svg>` +
      `<figcaption>image ${r.meta.columns}×${r.meta.rows}, ROI (${r.roi.method})</figcaption></figure>` +
      `<figure><img src="${pngDataUri(input)}" width="${input.width}" height="${input.height}" alt="classifier input"/>` +
      `<figcaption>classifier input (crop, window, 2048×1024)</figcaption></figure>`;
  }
  const t = r.timings;
  return (
    `<section class="card"><h3>${esc(tag.imageId)} <small>${esc(tag.predictionId)} · ${esc(r.meta.viewPosition ?? '')}</small></h3>` +
    `<div class="pics">${pictures}</div>` +
    `<table>${folds}<tr class="mean"><td>image mean</td><td>${r.probability.toFixed(6)}</td></tr></table>` +
    `<p class="muted">ROI [${r.roi.box.join(', ')}] ${esc(r.roi.method)} (area ${(100 * r.roi.areaPct).toFixed(1)} %) · ` +
    `decoder ${esc(r.decoder)} · read ${t.readMs.toFixed(0)} ms, decode ${t.decodeMs.toFixed(0)} ms, ROI ${t.roiMs.toFixed(0)} ms, ` +
    `prepare ${t.prepareMs.toFixed(0)} ms, infer ${t.inferMs.toFixed(0)} ms</p></section>`
  );
}

/** Renders the report as one HTML document. */
export function renderReport(input: ReportInput): string {
  const warning = input.warning ? `<p class="warning"><strong>${esc(input.warning)}</strong></p>` : '';
  const breasts = input.breasts
    .map((b) => `<tr><td>${esc(b.predictionId)}</td><td>${b.probability.toFixed(6)}</td><td>${b.imageCount}</td><td>${b.cancer}</td></tr>`)
    .join('');
  const failures = input.failures.length
    ? `<h2>Images that could not be predicted</h2><ul>${input.failures
        .map((f) => `<li>${esc(f.tag?.imageId ?? f.key)}: ${esc(f.stage)} · ${esc(f.code)} · ${esc(f.message)}</li>`)
        .join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
.warning{background:#fff0f0;border:2px solid #d00;color:#b00;padding:.8em;font-size:1.15em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
.card{border:1px solid #ddd;border-radius:6px;padding:.8em;margin:1em 0}
.pics{display:flex;gap:1em;align-items:flex-start}figure{margin:0}figcaption,.muted{color:#666;font-size:.9em}
.mean td{font-weight:bold}small{color:#666;font-weight:normal}
</style></head><body>
<h1>${esc(input.title)}</h1>
${warning}
<ul>${input.facts.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>
<h2>Per breast (prediction_id)</h2>
<table><tr><th>prediction_id</th><th>mean probability</th><th>images</th><th>cancer (&gt; ${input.threshold})</th></tr>${breasts}</table>
${warning}
${failures}
<h2>Per image</h2>
${input.images.map(imageCard).join('\n')}
</body></html>
`;
}
