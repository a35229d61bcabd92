import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { evaluatePredictions, METRIC_KEYS } from '../../metrics/evaluate';
import { readPredictionRows } from '../../metrics/predictionsCsv';
import { ReducerName } from '../../metrics/reducers';

const REDUCERS: ReducerName[] = ['single', 'gbmean', 'gbmean_site1', 'gbmean_site2'];

/** `rsna-mammo eval`: the selection metrics of ALGORITHMS.md §6 for a predictions CSV. */
export const command: CliCommand = {
  path: ['eval'],
  summary: 'pF1, best threshold, AUC and PR-AUC of a predictions CSV (ALGORITHMS.md §6)',
  usage: [
    'Usage: rsna-mammo eval <preds.csv> [--labels train.csv] [--json]',
    '',
    'preds.csv has site_id, patient_id, laterality, cancer, preds (missing label columns are taken from',
    '--labels by image_id). Reducers: single (image level), gbmean (mean per patient and laterality),',
    'gbmean_site1, gbmean_site2. --json prints one object keyed ${reducer}_${key} (e.g. gbmean_best_pfbeta);',
    'undefined values (numpy NaN) are null.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { labels: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1) {
      io.stderr.write(`${this.usage}\n`);
      return 2;
    }
    const metrics = evaluatePredictions(readPredictionRows(positionals[0], values.labels), REDUCERS);
    if (values.json) {
      const obj: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(metrics)) obj[k] = Number.isFinite(v) ? v : null;
      io.stdout.write(`${JSON.stringify(obj)}\n`);
      return 0;
    }
    const width = Math.max(...REDUCERS.map((r) => r.length));
    io.stdout.write(`${'reducer'.padEnd(width)}  ${METRIC_KEYS.map((k) => k.padStart(16)).join('')}\n`);
    for (const r of REDUCERS) {
      const cells = METRIC_KEYS.map((k) => formatCell(metrics[`${r}_${k}`]).padStart(16));
      io.stdout.write(`${r.padEnd(width)}  ${cells.join('')}\n`);
    }
    return 0;
  },
};

function formatCell(v: number): string {
  return Number.isFinite(v) ? v.toFixed(6) : 'nan';
}
