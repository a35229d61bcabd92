/**
 * `rsna-mammo predict <files or folders>... --models <dir>`: predictions for any DICOMs, grouped into
 * breasts by PatientID + ImageLaterality (or Laterality) since there is no test.csv.
 */
import path from 'path';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { noticeLog } from '../notice';
import { runExitCode } from '../exitCodes';
import { invalidArgument } from '../../errors';
import { createPipeline } from '../../pipeline/createPipeline';
import { requireDevice } from '../../pipeline/gpuStages';
import { aggregateBreasts } from '../../pipeline/aggregate';
import { predictionIdOf } from '../../pipeline/studies';
import type { ImageFailure, ImagePrediction } from '../../pipeline/types';
import { collectDicomInputs, SkippedEntry } from '../../run/collectFiles';
import { csvLine, formatFloat32 } from '../../run/csv';
import { writeFileAtomic } from '../../run/journal';
import { ensureOutputDir } from '../../run/outputDir';
import { modelDirFiles, resolveModels } from '../../run/resolveModels';
import { createProgress } from '../../run/progress';
import { parseRunOptions, RUN_OPTION_SPECS, RUN_OPTION_USAGE } from '../../run/runOptions';

/** The `predict --out x.csv` text: one row per image, then failures and skipped entries with the header's field count. */
export function predictCsv(images: ImagePrediction[], breastOf: Map<string, { probability: number; cancer: number }>, failures: ImageFailure[], skipped: SkippedEntry[]): string {
  const k = images[0]?.foldProbabilities.length ?? 0;
  const header = [
    'file', 'prediction_id', 'patient_id', 'laterality', 'view',
    ...Array.from({ length: k }, (_, i) => `prob_fold${i}`), 'image_mean', 'breast_mean', 'cancer',
    'roi_method', 'roi_x0', 'roi_y0', 'roi_x1', 'roi_y1', 'decoder', 'error', 'device', 'backend',
  ];
  // A failure row has the header's field count: the file, then empty fields, the message under `error`.
  const errorRow = (file: string, error: string): string[] => header.map((h, i) => (i === 0 ? file : h === 'error' ? error : ''));
  let text = csvLine(header);
  for (const r of images) {
    const id = predictionIdOf(r.meta);
    const b = breastOf.get(id)!;
    text += csvLine([
      r.key, id, r.meta.patientId ?? '', r.meta.laterality ?? '', r.meta.viewPosition ?? '',
      ...r.foldProbabilities.map(formatFloat32), formatFloat32(r.probability), formatFloat32(b.probability), b.cancer,
      r.roi.method, ...r.roi.box, r.decoder, '', r.device ?? '', r.backend ?? '',
    ]);
  }
  for (const f of failures) text += csvLine(errorRow(f.key, `${f.code}: ${f.message}`));
  for (const s of skipped) text += csvLine(errorRow(s.path, `skipped: ${s.reason}`));
  return text;
}

export const command: CliCommand = {
  path: ['predict'],
  needsAddon: true,
  summary: 'predict DICOM files or folders (breasts grouped by PatientID + laterality)',
  usage: `Usage: rsna-mammo predict <files or folders>... --models <dir|ensemble.onnx> [--out preds.csv|preds.json] [options]

--models holds best_convnext_fold_{0..3}.pth.tar (converted once to ONNX there) or the ensemble ONNX,
and yolox_nano_416_roi_torch.pth / yolox_nano_416_roi.onnx for --roi yolox. Images are grouped into
breasts by PatientID + ImageLaterality (else Laterality); prediction_id = {PatientID}_{L|R}. Prints
one line per breast; --out writes every image (CSV) or images + breasts + errors (JSON).

  --models PATH           model folder or ensemble .onnx (required)
  --out FILE              .csv or .json
${RUN_OPTION_USAGE}`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { models: { type: 'string' }, out: { type: 'string' }, ...RUN_OPTION_SPECS },
      allowPositionals: true,
      strict: true,
    });
    if (!values.models) throw invalidArgument('--models', 'a model folder or .onnx file', values.models);
    if (positionals.length === 0) throw invalidArgument('files', 'at least one DICOM file or folder', undefined);
    if (values.out && !/\.(csv|json)$/i.test(values.out)) throw invalidArgument('--out', 'a .csv or .json file name', values.out);
    const opts = parseRunOptions(values);
    if (values.out) ensureOutputDir(path.dirname(path.resolve(values.out)), '--out folder'); // before hours of work
    const { files, skipped } = collectDicomInputs(positionals);
    const log = noticeLog(io);
    // Inputs left out are part of the result, not a notice: always printed.
    for (const s of skipped) io.stderr.write(`skipped	${s.path}	${s.reason}
`);
    requireDevice(opts.device); // before any model conversion
    const models = await resolveModels(modelDirFiles(values.models), opts.roi, log);
    const pipeline = await createPipeline({ ...models, roi: opts.roi, backend: opts.backend, precision: opts.precision, device: opts.device, log, threads: opts.threads, batchSize: opts.batchSize, concurrency: opts.concurrency });
    const images: ImagePrediction[] = [];
    const failures: ImageFailure[] = [];
    const progress = opts.quiet ? undefined : createProgress({ stream: io.stderr });
    try {
      for await (const r of pipeline.predictMany(files)) {
        if (r.ok) images.push(r);
        else failures.push(r);
        progress?.update({ done: images.length, failed: failures.length, total: files.length });
      }
      progress?.finish({ done: images.length, failed: failures.length, total: files.length });
    } finally {
      await pipeline.close();
    }
    const { rows: breasts, threshold } = aggregateBreasts(
      images.map((r) => ({ predictionId: predictionIdOf(r.meta), probability: r.probability })),
      opts.thresholdRule,
    );
    const breastOf = new Map(breasts.map((b) => [b.predictionId, b]));
    for (const b of breasts) io.stdout.write(`${b.predictionId}\t${b.probability.toFixed(6)}\tcancer=${b.cancer}\t(${b.imageCount} images)\n`);
    for (const f of failures) io.stdout.write(`error\t${f.key}\t${f.code}: ${f.message}\n`);
    if (values.out) {
      const text = values.out.toLowerCase().endsWith('.json')
        ? `${JSON.stringify({
            threshold,
            breasts,
            images: images.map(({ preview: _p, tag: _t, ...r }) => ({ ...r, predictionId: predictionIdOf(r.meta) })),
            errors: failures.map(({ tag: _t, ...f }) => f),
            skipped,
          }, null, 1)}\n`
        : predictCsv(images, breastOf, failures, skipped);
      writeFileAtomic(values.out, text);
      io.stderr.write(`wrote ${values.out}\n`);
    }
    return runExitCode(images.length, failures.length);
  },
};

