/**
 * `rsna-mammo preprocess <file.dcm> --out input.png [--yolox yolox.onnx] [--box x0,y0,x1,y1]`: the
 * 2048×1024 classifier input of one image (ALGORITHMS.md §2.8, §3.1).
 */
import fs from 'fs';
import { parseArgs } from 'util';
import { encode } from 'fast-png';
import { CliCommand } from '../command';
import { RsnaMammoError } from '../../errors';
import { CLASSIFIER_INPUT, classifierInput } from '../../preprocess';
import type { Box } from '../../preprocess';
import type { RoiMethod } from '../../roi';
import { readDicomPixels } from '../dicomPixels';
import { roiOfPixels } from '../roiOfPixels';

const USAGE = 'Usage: rsna-mammo preprocess <file.dcm> --out input.png [--yolox yolox.onnx] [--box x0,y0,x1,y1]';

function parseBox(text: string, rows: number, cols: number): Box {
  const parts = text.split(',').map((s) => s.trim());
  const v = parts.map(Number);
  if (parts.length !== 4 || parts.some((s) => !/^-?\d+$/.test(s))) {
    throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `--box expects four integers x0,y0,x1,y1, got "${text}"`);
  }
  if (!(0 <= v[0] && v[0] < v[2] && v[2] <= cols && 0 <= v[1] && v[1] < v[3] && v[3] <= rows)) {
    throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `--box ${text} is not a non-empty box inside the ${cols}×${rows} image`);
  }
  return v as Box;
}

export const command: CliCommand = {
  path: ['preprocess'],
  needsAddon: true,
  summary: 'write the 2048×1024 8-bit classifier input of one DICOM image as a single-channel PNG',
  usage: `${USAGE}

Crops frame 0 to the ROI (--box, else detected like \`rsna-mammo roi\`: YOLOX with --yolox, Otsu,
full frame), windows the crop with the first window (min-max when there are no window tags), inverts
MONOCHROME1, resizes keeping the aspect ratio and pads to 2048×1024 centred with zeros, truncates to
uint8 (ALGORITHMS.md §2.8, §3.1). The PNG is SINGLE-CHANNEL 8-bit grayscale; the original writes three
identical channels (replicate the channel to get its 3-channel input). Prints the box and its method.`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: 'string' }, yolox: { type: 'string' }, box: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', "expected one DICOM file");
    if (!values.out) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', "--out is required");
    const img = await readDicomPixels(positionals[0]);
    let box: Box;
    let method: RoiMethod | 'given';
    if (values.box !== undefined) {
      box = parseBox(values.box, img.height, img.width);
      method = 'given';
    } else {
      const roi = await roiOfPixels(img, values.yolox);
      box = roi.box;
      method = roi.method;
    }
    const pixels = await classifierInput(img.pixels, img.height, img.width, box, img.window);
    fs.writeFileSync(values.out, encode({ ...CLASSIFIER_INPUT, data: pixels, channels: 1, depth: 8 }));
    io.stdout.write(`${JSON.stringify({ out: values.out, width: CLASSIFIER_INPUT.width, height: CLASSIFIER_INPUT.height, channels: 1, box, method })}\n`);
    return 0;
  },
};
