import path from 'path';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { runCvSplit } from '../../data/cvSplit';
import { loadSettings } from '../../settings';
import { invalidArgument } from '../../errors';

/** `rsna-mammo cv-split`: the 4-fold split of ALGORITHMS.md §8. */
export const command: CliCommand = {
  path: ['cv-split'],
  summary: '4-fold StratifiedGroupKFold split of the RSNA labels, as the original (ALGORITHMS.md §8)',
  usage: [
    'Usage: rsna-mammo cv-split [--csv cleaned_label.csv] [--seed 67] [--folds 4] [--out DIR] [--settings SETTINGS.json]',
    '',
    'Defaults (ALGORITHMS.md §8.5, §12): --csv {PROCESSED_DATA_DIR}/classification/rsna-breast-cancer-detection/cleaned_label.csv,',
    '--out {PROCESSED_DATA_DIR}/classification/rsna-breast-cancer-detection/cv/v2. Writes train_fold_{i}.csv,',
    'val_fold_{i}.csv and folds.csv (patient_id,image_id,fold = the validation fold of each image).',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        csv: { type: 'string' },
        seed: { type: 'string', default: '67' },
        folds: { type: 'string', default: '4' },
        out: { type: 'string' },
        settings: { type: 'string' },
      },
    });
    const seed = Number(values.seed);
    const folds = Number(values.folds);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw invalidArgument('--seed', 'an integer in [0, 2^32-1]', values.seed);
    if (!Number.isInteger(folds) || folds < 2) throw invalidArgument('--folds', 'an integer >= 2', values.folds);
    const settings = loadSettings(values.settings);
    const rsnaDir = path.join(settings.PROCESSED_DATA_DIR, 'classification', 'rsna-breast-cancer-detection');
    const csv = values.csv ?? path.join(rsnaDir, 'cleaned_label.csv');
    const outDir = values.out ?? path.join(rsnaDir, 'cv', 'v2');
    const res = runCvSplit({ csv, outDir, seed, folds });
    for (const f of res.perFold) {
      io.stdout.write(`fold ${f.fold}: ${f.images} validation images, ${f.patients} patients, ${f.positiveImages} positive images\n`);
    }
    for (const c of res.checkFailures) io.stderr.write(`warning: fold check of the original (§8.4) fails: ${c}\n`);
    io.stdout.write(`wrote ${res.files.length} files to ${outDir}\n`);
    return 0;
  },
};
