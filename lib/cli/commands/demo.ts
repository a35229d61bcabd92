/**
 * `rsna-mammo demo` (= `npm run demo`): the whole submission path on the example study bundled
 * with the package (assets/example, synthetic DICOMs made by scripts/make-example-study.ts) →
 * demo-output/submission.csv, predictions.csv and report.html. Uses the real checkpoints when they
 * are in assets/trained/, otherwise seeded random ("untrained") weights, said in bold everywhere.
 */
import fs from 'fs';
import path from 'path';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { noticeLog } from '../notice';
import { runExitCode } from '../exitCodes';
import { packageRoot } from '../../util/packageRoot';
import { createPipeline } from '../../pipeline/createPipeline';
import { requireDevice } from '../../pipeline/gpuStages';
import type { ImageFailure, ImagePrediction } from '../../pipeline/types';
import { modelFiles, ensureOnnx, FOLD_CHECKPOINTS, ENSEMBLE_ONNX } from '../../run/modelFiles';
import { convertEnsemble, modelDirFiles, resolveModels } from '../../run/resolveModels';
import { readTestCsv, TestImageRow } from '../../run/testCsv';
import { runSubmit } from '../../run/runSubmit';
import { createProgress } from '../../run/progress';
import { renderReport } from '../../run/report';
import { writeFileAtomic } from '../../run/journal';
import { parseRunOptions, RUN_OPTION_SPECS, RUN_OPTION_USAGE } from '../../run/runOptions';
import { makeRandomConvnextCheckpoint } from '../../models/random_convnext';
import { loadSettings } from '../../settings';

/** The untrained demo ensemble: a small ConvNeXt (same family as the golden's), one seed per fold. */
const DEMO_ARCH = { depths: [2, 2, 3, 2], dims: [16, 24, 40, 64] };
const DEMO_SEED = 20230227;
const UNTRAINED_WARNING =
  'UNTRAINED DEMO WEIGHTS: the real checkpoints are not in assets/trained/, so this run uses random weights. ' +
  'THESE NUMBERS ARE NOT PREDICTIONS. See assets/trained/README.md to get the real models.';

/** Makes (once) the seeded random fold checkpoints and their ensemble ONNX under `dir`. */
async function untrainedEnsemble(dir: string, log: (line: string) => void): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const ckpts = FOLD_CHECKPOINTS.map((f) => path.join(dir, f));
  for (const [k, file] of ckpts.entries()) {
    if (!fs.existsSync(file)) await makeRandomConvnextCheckpoint(file, { ...DEMO_ARCH, seed: DEMO_SEED + k });
  }
  return ensureOnnx('untrained demo ensemble', ckpts, path.join(dir, ENSEMBLE_ONNX), convertEnsemble, log);
}

export const command: CliCommand = {
  path: ['demo'],
  needsAddon: true,
  summary: 'run the whole submission path on the bundled example study (npm run demo)',
  usage: `Usage: rsna-mammo demo [--out demo-output] [options]

Runs submit on assets/example (2 synthetic patients × L/R × CC/MLO) and writes
<out>/submission.csv, predictions.csv, errors.csv and report.html (thumbnails with the ROI box,
the classifier input, per-fold probabilities). Uses assets/trained/ when the real checkpoints are
there; otherwise untrained random weights (the numbers are then NOT predictions).

  --out DIR               output folder (default demo-output)
  --models DIR            where to look for the trained checkpoints (default assets/trained)
${RUN_OPTION_USAGE}`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' }, models: { type: 'string' }, ...RUN_OPTION_SPECS }, strict: true });
    const out = path.resolve(values.out ?? 'demo-output');
    const tty = Boolean((io.stderr as { isTTY?: boolean }).isTTY);
    const bold = (s: string): string => (tty ? `\x1b[1;31m${s}\x1b[0m` : `*** ${s} ***`);
    const log = noticeLog(io);

    const files = values.models ? modelDirFiles(path.resolve(values.models)) : modelFiles('trained', loadSettings(undefined, packageRoot));
    const trained = fs.existsSync(files.classifierOnnx) || (files.classifierCheckpoints.length === 4 && files.classifierCheckpoints.every((f) => fs.existsSync(f)));
    const hasDetector = fs.existsSync(files.detectorOnnx) || fs.existsSync(files.detectorCheckpoint);
    const opts = parseRunOptions(values, hasDetector ? 'yolox' : 'otsu');
    requireDevice(opts.device); // before any model conversion
    if (!values.roi && !hasDetector) log(`no YOLOX weights in ${files.detectorDir}: ROI by the Otsu fallback (ALGORITHMS.md §2.6) for every image`);
    let classifier: string;
    let detector: string | undefined;
    if (trained) {
      ({ classifier, detector } = await resolveModels(files, opts.roi, log));
    } else {
      io.stderr.write(`${bold(UNTRAINED_WARNING)}\n`); // never silenced: the numbers are not predictions
      classifier = await untrainedEnsemble(path.join(out, 'demo-weights'), log);
      if (opts.roi === 'yolox') ({ detector } = await resolveModels({ ...files, classifierCheckpoints: [], classifierOnnx: classifier }, 'yolox', log));
    }

    const example = path.join(packageRoot, 'assets', 'example', 'rsna-breast-cancer-detection');
    const rows = readTestCsv(path.join(example, 'test.csv'), path.join(example, 'test_images'));
    const pipeline = await createPipeline({
      classifier, detector, roi: opts.roi, backend: opts.backend, precision: opts.precision, device: opts.device, threads: opts.threads, log,
      batchSize: opts.batchSize, concurrency: opts.concurrency, previewWidth: 200,
    });
    const images: ImagePrediction<TestImageRow>[] = [];
    const failures: ImageFailure<TestImageRow>[] = [];
    let res;
    try {
      res = await runSubmit({
        rows, pipeline, outDir: out, thresholdRule: opts.thresholdRule,
        progress: opts.quiet ? undefined : createProgress({ stream: io.stderr, label: 'demo' }),
        onResult: (r) => (r.ok ? images.push(r) : failures.push(r)),
      });
    } finally {
      await pipeline.close();
    }
    const reportFile = path.join(out, 'report.html');
    writeFileAtomic(reportFile, renderReport({
      title: 'rsna-mammo demo — example study',
      warning: trained ? undefined : UNTRAINED_WARNING,
      facts: [
        `models: ${trained ? `trained checkpoints (${classifier})` : `untrained random ConvNeXt depths ${DEMO_ARCH.depths} dims ${DEMO_ARCH.dims}, seeds ${DEMO_SEED}+fold`}`,
        `ROI: ${opts.roi}${detector ? ` (${detector})` : ''}; classifier input 2048×1024; batch ${opts.batchSize}`,
        `images: ${rows.length} from assets/example (synthetic, made by scripts/make-example-study.ts)`,
        `threshold: mean > ${res.threshold} (float32)`,
      ],
      breasts: res.breasts,
      threshold: res.threshold,
      images,
      failures,
    }));
    io.stdout.write('prediction_id  mean       cancer\n');
    for (const b of res.breasts) io.stdout.write(`${b.predictionId.padEnd(13)}  ${b.probability.toFixed(6)}   ${b.cancer}\n`);
    if (!trained) io.stdout.write(`${bold('THESE NUMBERS ARE NOT PREDICTIONS (untrained demo weights).')}\n`);
    io.stdout.write(`wrote ${res.submissionFile}\nwrote ${res.predictionsFile}\nwrote ${reportFile}\n`);
    if (failures.length > 0) io.stderr.write(`${failures.length} image(s) could not be predicted: see ${res.errorsFile}\n`);
    return runExitCode(images.length, failures.length);
  },
};
