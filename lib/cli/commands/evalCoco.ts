import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { invalidArgument } from '../../errors';
import { readCocoFiles } from '../../metrics/cocoData';
import { cocoEvaluate, cocoSummaryLines } from '../../metrics/cocoEval';

/** `rsna-mammo eval coco`: COCO bbox AP/AR as pycocotools' COCOeval (the YOLOX ROI metric, ALGORITHMS.md §10.5). */
export const command: CliCommand = {
  path: ['eval', 'coco'],
  summary: 'COCO bbox AP/AR of detections against a ground truth, as pycocotools COCOeval (ALGORITHMS.md §10.5)',
  usage: [
    'Usage: rsna-mammo eval coco --gt instances.json --dt detections.json [--json] [--allow-degenerate]',
    '',
    'gt: a COCO dataset (images, annotations with bbox/area/iscrowd, categories); dt: a list of',
    '{image_id, category_id, bbox: [x, y, w, h], score}. Default COCOeval parameters (IoU .50:.05:.95,',
    '101 recall points, maxDets 1/10/100, areas all/small/medium/large). Prints the summary lines, or with',
    '--json {"stats": [12 values]} in COCOeval.stats order (−1 where undefined). A box with width or height',
    '<= 0 is an error unless --allow-degenerate (then it is evaluated as pycocotools does).',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args, options: { gt: { type: 'string' }, dt: { type: 'string' }, json: { type: 'boolean', default: false }, 'allow-degenerate': { type: 'boolean', default: false } } });
    if (!values.gt) throw invalidArgument('--gt', 'a COCO ground-truth JSON file', values.gt);
    if (!values.dt) throw invalidArgument('--dt', 'a COCO detections JSON file', values.dt);
    const { gt, dt } = readCocoFiles(values.gt, values.dt, { allowDegenerateBoxes: values['allow-degenerate'] });
    const res = cocoEvaluate(gt, dt);
    io.stdout.write(values.json ? `${JSON.stringify({ stats: res.stats })}\n` : `${cocoSummaryLines(res).join('\n')}\n`);
    return 0;
  },
};
