/**
 * `rsna-mammo submit`: the original's `submit.py` (ALGORITHMS.md §5) — test.csv + test_images from
 * RAW_DATA_DIR, models per mode (§5.2/§12), submission.csv + predictions.csv + errors.csv in
 * SUBMISSION_DIR; `--resume` continues a killed run.
 */
import fs from 'fs';
import path from 'path';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { noticeLog } from '../notice';
import { EXIT } from '../exitCodes';
import { loadSettings } from '../../settings';
import { invalidArgument } from '../../errors';
import { createPipeline } from '../../pipeline/createPipeline';
import { requireDevice } from '../../pipeline/gpuStages';
import { modelFiles, SUBMIT_MODES, SubmitMode } from '../../run/modelFiles';
import { resolveModels } from '../../run/resolveModels';
import { readTestCsv } from '../../run/testCsv';
import { runSubmit } from '../../run/runSubmit';
import { createProgress } from '../../run/progress';
import { parseRunOptions, RUN_OPTION_SPECS, RUN_OPTION_USAGE } from '../../run/runOptions';

export const command: CliCommand = {
  path: ['submit'],
  needsAddon: true,
  summary: 'predict test.csv images and write submission.csv (the original submit.py)',
  usage: `Usage: rsna-mammo submit --mode trained|partial_reproduce|reproduce [--settings SETTINGS.json] [--roi yolox|otsu] [--resume] [options]

Reads {RAW_DATA_DIR}/rsna-breast-cancer-detection/test.csv and test_images/{patient_id}/{image_id}.dcm,
writes {SUBMISSION_DIR}/submission.csv (prediction_id,cancer), predictions.csv (per-image fold
probabilities, ROI, decoder, timings) and errors.csv (images that could not be read; their breast
gets the mean of its other images, or 0).
Models (ALGORITHMS.md §5.2): trained = assets/trained; partial_reproduce = YOLOX from assets/trained,
ConvNeXt from MODEL_FINAL_SELECTION_DIR; reproduce = both from MODEL_FINAL_SELECTION_DIR. Checkpoints
are converted to ONNX once and cached beside them.

  --mode M                trained (default) | partial_reproduce | reproduce
  --settings FILE         SETTINGS.json (default ./SETTINGS.json when present, else the defaults)
  --resume                keep predictions.csv and predict only the images it lacks
${RUN_OPTION_USAGE}`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { mode: { type: 'string' }, settings: { type: 'string' }, resume: { type: 'boolean' }, ...RUN_OPTION_SPECS },
      strict: true,
    });
    const mode = (values.mode ?? 'trained') as SubmitMode;
    if (!SUBMIT_MODES.includes(mode)) throw invalidArgument('--mode', SUBMIT_MODES.join(' | '), values.mode);
    const opts = parseRunOptions(values);
    const settingsFile = values.settings ?? (fs.existsSync('SETTINGS.json') ? 'SETTINGS.json' : undefined);
    const settings = loadSettings(settingsFile);
    const log = noticeLog(io);
    requireDevice(opts.device); // before any model conversion
    const models = await resolveModels(modelFiles(mode, settings), opts.roi, log);
    const base = path.join(settings.RAW_DATA_DIR, 'rsna-breast-cancer-detection');
    const rows = readTestCsv(path.join(base, 'test.csv'), path.join(base, 'test_images'));
    log(`submit --mode ${mode}: ${rows.length} images, ROI ${opts.roi}, batch ${opts.batchSize}`);
    const pipeline = await createPipeline({ ...models, roi: opts.roi, backend: opts.backend, precision: opts.precision, device: opts.device, log, threads: opts.threads, batchSize: opts.batchSize, concurrency: opts.concurrency });
    let failed = 0;
    try {
      const res = await runSubmit({
        rows,
        pipeline,
        outDir: settings.SUBMISSION_DIR,
        resume: Boolean(values.resume),
        thresholdRule: opts.thresholdRule,
        progress: opts.quiet ? undefined : createProgress({ stream: io.stderr }),
        log,
      });
      failed = res.failed;
      const positives = res.breasts.filter((b) => b.cancer === 1).length;
      io.stdout.write(
        `wrote ${res.submissionFile} (${res.breasts.length} prediction_ids, ${positives} with cancer = 1, threshold ${res.threshold})\n` +
          `per-image details: ${res.predictionsFile}\n` +
          (res.failed > 0 ? `${res.failed} image(s) could not be predicted: see ${res.errorsFile}\n` : ''),
      );
    } finally {
      await pipeline.close();
    }
    return failed > 0 ? EXIT.PARTIAL : EXIT.OK;
  },
};
