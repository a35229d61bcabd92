/** Runs one conversion in a worker thread and re-raises its error as the same RsnaMammoError. */
import { RsnaMammoError } from '../errors';
import { startWorker } from '../util/startWorker';
import type { ConvertClassifierOptions } from './convert_classifier';
import type { ConvertYoloxOptions } from './convert_yolox';

export type ConversionRequest =
  | { kind: 'classifier'; checkpoints: string[]; outFile: string; options: ConvertClassifierOptions }
  | { kind: 'yolox'; checkpoint: string; outFile: string; options: ConvertYoloxOptions };

interface ConversionReply<T> {
  ok: boolean;
  result?: T;
  error?: { code: string; message: string; file?: string };
}

export function convertInWorker<T>(req: ConversionRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = startWorker(__dirname, 'convert_worker');
    let settled = false;
    worker.once('message', (reply: ConversionReply<T>) => {
      settled = true;
      void worker.terminate();
      if (reply.ok) resolve(reply.result as T);
      else {
        const { code, message, file } = reply.error!;
        // The message already names the file; rebuild the error without prefixing it twice.
        const err = new RsnaMammoError(code, message);
        Object.assign(err, { file });
        reject(err);
      }
    });
    worker.once('error', (err) => { if (!settled) { settled = true; reject(new RsnaMammoError('ERR_CONVERT', `conversion worker failed: ${err.message}`, { cause: err })); } });
    worker.once('exit', (code) => { if (!settled) { settled = true; reject(new RsnaMammoError('ERR_CONVERT', `conversion worker exited with code ${code}`)); } });
    worker.postMessage(req);
  });
}
