import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { selectYolox } from '../../train/selectYolox';

/** `rsna-mammo select-yolox` (§11.5): best YOLOX checkpoint → final selection folder + ONNX. */
export const command: CliCommand = {
  path: ['select-yolox'],
  summary: 'copy the best YOLOX checkpoint to MODEL_FINAL_SELECTION_DIR and convert it to the ONNX --roi yolox uses',
  usage: [
    'Usage: rsna-mammo select-yolox [--settings SETTINGS.json] [--train-dir DIR] [--out DIR]',
    '',
    'As select_yolox_best_ckpt.py (ALGORITHMS.md §11.5): {MODEL_CHECKPOINT_DIR}/yolox_roi_det/yolox_nano_416_reproduce/',
    'best_ckpt.pth (highest COCO AP50:95 of the EMA model) → {MODEL_FINAL_SELECTION_DIR}/yolox_nano_416_roi_torch.pth,',
    'converted once to yolox_nano_416_roi.onnx beside it (used by submit/predict --roi yolox and prepare).',
    'Without best_ckpt.pth (AP never above 0) last_epoch_ckpt.pth is used, with a warning.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args, options: { settings: { type: 'string' }, 'train-dir': { type: 'string' }, out: { type: 'string' } } });
    const r = await selectYolox({ settings: values.settings, trainDir: values['train-dir'], outDir: values.out });
    if (r.warning) io.stderr.write(`warning: ${r.warning}\n`);
    io.stdout.write(`${r.checkpoint}\n${r.onnx}\n`);
    return 0;
  },
};
