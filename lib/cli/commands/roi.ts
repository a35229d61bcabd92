/**
 * `rsna-mammo roi <file.dcm> --json [--yolox yolox.onnx]`: the breast ROI of one image (ALGORITHMS.md §2).
 */
import { roiDetector } from '../../roi';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { RsnaMammoError } from '../../errors';
import { readDicomPixels } from '../dicomPixels';
import { roiOfPixels } from '../roiOfPixels';

const USAGE = 'Usage: rsna-mammo roi <file.dcm> [--json] [--yolox yolox.onnx] [--method yolox|otsu]';

export const command: CliCommand = {
  path: ['roi'],
  needsAddon: true,
  summary: 'breast ROI of one DICOM image (YOLOX, Otsu fallback, full frame) in full-resolution pixels',
  usage: `${USAGE}

Decodes frame 0, builds the detector image (min-max × 255, inverted for MONOCHROME1) and chooses the
box like the original (ALGORITHMS.md §2): the YOLOX box when --yolox names a converted model
(\`rsna-mammo convert yolox\`) and a box passes obj·cls ≥ 0.5 with ≥ 4 % of the image; else the Otsu
box of the 416-resized image (≥ 4 %); else the full frame. Without --yolox the original's
"nothing detected" path runs (Otsu, then full frame). --method otsu skips the detector.
--json prints {"box":[x0,y0,x1,y1],"method":"yolox"|"otsu"|"full","areaPct":…,"score":…|null,"ratio":…}
(end-exclusive box; score is obj·cls for YOLOX, null otherwise; ratio r = min(416/H, 416/W)).`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, yolox: { type: 'string' }, method: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', 'expected one DICOM file');
    const method = roiDetector(values.method ?? 'yolox', '--method').name;
    const roi = await roiOfPixels(await readDicomPixels(positionals[0]), values.yolox, method);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ box: roi.box, method: roi.method, areaPct: roi.areaPct, score: roi.score, ratio: roi.ratio })}\n`);
    } else {
      io.stdout.write(`${positionals[0]}: ${roi.method} box [${roi.box.join(', ')}] (area ${(roi.areaPct * 100).toFixed(1)} %)\n`);
    }
    return 0;
  },
};
