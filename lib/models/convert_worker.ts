/**
 * Worker-thread body for conversions: reading checkpoints, building the graph and encoding the
 * protobuf are seconds of synchronous work for real models, so they run here, off the main thread.
 */
import { parentPort } from 'worker_threads';
import { convertClassifierInProcess } from './convert_classifier';
import { convertYoloxInProcess } from './convert_yolox';
import type { ConversionRequest } from './convert_in_worker';

parentPort!.once('message', async (req: ConversionRequest) => {
  try {
    const result = req.kind === 'classifier'
      ? await convertClassifierInProcess(req.checkpoints, req.outFile, req.options)
      : await convertYoloxInProcess(req.checkpoint, req.outFile, req.options);
    parentPort!.postMessage({ ok: true, result });
  } catch (err) {
    const e = err as { code?: string; message?: string; file?: string };
    parentPort!.postMessage({ ok: false, error: { code: e?.code ?? 'ERR_CONVERT', message: e?.message ?? String(err), file: e?.file } });
  }
});
