import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { MODE_SETTINGS_JSON_OPTIONS, reproduceMode } from '../reproduceMode';
import { invalidArgument } from '../../errors';
import { loadSettings } from '../../settings';
import { pyFloatRepr } from '../../data/pythonJson';
import { CANDIDATE_EPOCHS, copySelected, OOF_ROWS, rankCombinations } from '../../train/selectCkpts';

/** `rsna-mammo select-ckpts`: choose one checkpoint per fold by OOF gbmean_best_pfbeta (ALGORITHMS.md §11). */
export const command: CliCommand = {
  path: ['select-ckpts'],
  summary: 'Pick the best ConvNeXt epoch per fold by OOF gbmean_best_pfbeta and copy the checkpoints (ALGORITHMS.md §11)',
  usage: [
    'Usage: rsna-mammo select-ckpts [--mode fully_reproduce|reproduce] [--settings SETTINGS.json] [--json]',
    '         [--epochs 11,12,13/8,9,10,11,12/20,21,22,26,28,29,30/18,19,20,21,22] [--curves] [--expected-rows 54706] [--no-copy]',
    '',
    'Reads {MODEL_CHECKPOINT_DIR}/timm_classification/{stage2_P_fold_0,stage2_P_fold_1,P_fold_2,P_fold_3}/results/pred_{e}.csv',
    '(pred_{e}.csv.gz when only that exists) for the candidate epochs (default: the original\'s), scores every',
    'combination in itertools.product order, ranks them by gbmean_best_pfbeta (stable: product order on ties)',
    'and copies checkpoint-{e}.pth.tar of the best to {MODEL_FINAL_SELECTION_DIR}/best_convnext_fold_{i}.pth.tar.',
    '--curves adds gbmean_pfbeta/auc/prauc of every combination (slower). --json prints',
    '{"best": {"fold_0": e, ...}, "gbmean_best_pfbeta", "best_threshold", "ranking": [...], "copies": [...]}.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...MODE_SETTINGS_JSON_OPTIONS,
        epochs: { type: 'string' },
        curves: { type: 'boolean', default: false },
        'expected-rows': { type: 'string', default: String(OOF_ROWS) },
        'no-copy': { type: 'boolean', default: false },
      },
    });
    const mode = reproduceMode(values.mode);
    const expectedRows = Number(values['expected-rows']);
    if (!Number.isInteger(expectedRows) || expectedRows < 0) throw invalidArgument('--expected-rows', 'an integer >= 0', values['expected-rows']);
    const epochs = values.epochs === undefined ? CANDIDATE_EPOCHS : parseEpochs(values.epochs);
    const settings = loadSettings(values.settings);
    const res = rankCombinations({ mode, checkpointDir: settings.MODEL_CHECKPOINT_DIR, epochs, expectedRows, curves: values.curves });
    const copies = values['no-copy'] ? [] : copySelected(res.dirs, res.best.epochs, settings.MODEL_FINAL_SELECTION_DIR);
    const m = res.best.metrics;
    if (values.json) {
      const best = Object.fromEntries(res.best.epochs.map((e, i) => [`fold_${i}`, e]));
      const ranking = res.ranking.map((r) => ({ product_index: r.productIndex, epochs: r.epochs, ...r.metrics }));
      io.stdout.write(`${JSON.stringify({ best, gbmean_best_pfbeta: m.gbmean_best_pfbeta, best_threshold: m.gbmean_best_thres, candidates: res.candidates, ranking, copies })}\n`);
      return 0;
    }
    io.stdout.write(`Number of combinations: ${res.ranking.length}\nRANKING (all combinations, best first):\n`);
    for (const r of res.ranking) {
      io.stdout.write(`(${r.epochs.join(', ')}) --> pf1 = ${pyFloatRepr(r.metrics.gbmean_best_pfbeta)}, thres = ${pyFloatRepr(r.metrics.gbmean_best_thres)}\n`);
    }
    io.stdout.write(`\nSELECTED BEST COMBINATION: (${res.best.epochs.join(', ')})\n`);
    io.stdout.write(`best OOF threshold ${pyFloatRepr(m.gbmean_best_thres)} (printed only; submission uses 0.31)\n`);
    for (const c of copies) io.stdout.write(`Copy ${c.from} to ${c.to}\n`);
    return 0;
  },
};

/** `a,b,c/d,e/…`: 4 comma-separated candidate lists, one per fold. */
function parseEpochs(text: string): number[][] {
  const lists = text.split('/').map((part) => part.split(',').map((s) => Number(s.trim())));
  if (lists.length !== 4 || lists.some((l) => l.length === 0 || l.some((e) => !Number.isFinite(e) || e < 0))) {
    throw invalidArgument('--epochs', '4 lists of epochs like 11,12,13/8,9/20,21/18,19', text);
  }
  return lists;
}
