/** Runs one conversion in a worker thread and re-raises its error as the same RsnaMammoError. */
import { callWorker } from '../util/callWorker';
import type { ConvertClassifierOptions } from './convert_classifier';
import type { ConvertYoloxOptions } from './convert_yolox';

export type ConversionRequest =
  | { kind: 'classifier'; checkpoints: string[]; outFile: string; options: ConvertClassifierOptions }
  | { kind: 'yolox'; checkpoint: string; outFile: string; options: ConvertYoloxOptions };

export function convertInWorker<T>(req: ConversionRequest): Promise<T> {
  return callWorker<T>(__dirname, 'convert_worker', req, 'ERR_CONVERT');
}
