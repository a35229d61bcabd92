import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { invalidArgument } from '../../errors';
import { balanceSamplerEpochs, EXP7_SAMPLER } from '../../train/balanceSampler';
import { readLabelsCsv, readLabelsJson } from '../../train/readLabels';

/** `rsna-mammo train sampler`: the epoch index lists of BalanceSamplerV2 (ALGORITHMS.md §9.5). */
export const command: CliCommand = {
  path: ['train', 'sampler'],
  summary: 'BalanceSamplerV2 index lists per epoch, numpy-exact (ALGORITHMS.md §9.5)',
  usage: [
    'Usage: rsna-mammo train sampler (--labels FILE.json | --labels-csv A.csv,B.csv,…) [--batch-size 8] [--seed 42] [--num-sched-epochs 10]',
    '         [--num-epochs 35] [--start-ratio 0.1429] [--end-ratio 0.1429] [--one-pos-mode] [--json]',
    '',
    'FILE.json: an array of labels (> 0 positive, 0 negative) or {"labels": [...]}; --labels-csv: the cancer column',
    'of each CSV, concatenated in order (the training set of a step: see train plan). Defaults are the training',
    'command\'s (§9.2), except one-pos mode: off unless --one-pos-mode is given (the training command gives it). --json prints {"epochs": [[index, ...], ...]} (batch after batch); otherwise one line',
    'per epoch with its length and positives.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        labels: { type: 'string' },
        'labels-csv': { type: 'string' },
        'batch-size': { type: 'string', default: '8' },
        seed: { type: 'string', default: String(EXP7_SAMPLER.seed) },
        'num-sched-epochs': { type: 'string', default: String(EXP7_SAMPLER.numSchedEpochs) },
        'num-epochs': { type: 'string', default: String(EXP7_SAMPLER.numEpochs) },
        'start-ratio': { type: 'string', default: String(EXP7_SAMPLER.startRatio) },
        'end-ratio': { type: 'string', default: String(EXP7_SAMPLER.endRatio) },
        'one-pos-mode': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    if (!values.labels === !values['labels-csv']) throw invalidArgument('--labels / --labels-csv', 'exactly one of them', values.labels ?? values['labels-csv']);
    const int = (name: string, v: string | undefined, max = Number.MAX_SAFE_INTEGER): number => {
      const n = Number(v);
      if (v === undefined || v.trim() === '' || !Number.isInteger(n) || n < 0 || n > max) throw invalidArgument(`--${name}`, 'a non-negative integer', v);
      return n;
    };
    const ratio = (name: string, v: string | undefined): number => {
      const n = Number(v);
      if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < 0) throw invalidArgument(`--${name}`, 'a ratio >= 0', v);
      return n;
    };
    const labels = values.labels ? readLabelsJson(values.labels) : readLabelsCsv(values['labels-csv']!.split(','));
    const labelsPositive = labels.map((v) => (v > 0 ? 1 : 0));
    const epochs = balanceSamplerEpochs(labels, {
      batchSize: int('batch-size', values['batch-size']),
      seed: int('seed', values.seed, 0xffffffff),
      numSchedEpochs: int('num-sched-epochs', values['num-sched-epochs']),
      numEpochs: int('num-epochs', values['num-epochs']),
      startRatio: ratio('start-ratio', values['start-ratio']),
      endRatio: ratio('end-ratio', values['end-ratio']),
      onePosMode: values['one-pos-mode'] === true,
    });
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ epochs })}\n`);
      return 0;
    }
    epochs.forEach((e, i) => {
      const positives = e.reduce((s, idx) => s + labelsPositive[idx], 0);
      io.stdout.write(`epoch ${i}: ${e.length} indices, ${positives} positive draws\n`);
    });
    return 0;
  },
};
