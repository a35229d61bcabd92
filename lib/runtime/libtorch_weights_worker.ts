/** Worker-thread body of readLibtorchWeights: parsing real checkpoints is seconds of synchronous work. */
import { parentPort } from 'worker_threads';
import { readLibtorchWeightsInProcess } from './libtorch_weights';

parentPort!.once('message', async (files: string[]) => {
  try {
    const weights = await readLibtorchWeightsInProcess(files);
    parentPort!.postMessage({ ok: true, result: weights }, weights.folds.map((f) => f.buffer.buffer as ArrayBuffer));
  } catch (err) {
    const e = err as { code?: string; message?: string; file?: string };
    parentPort!.postMessage({ ok: false, error: { code: e?.code ?? 'ERR_MODEL_LOAD', message: e?.message ?? String(err), file: e?.file } });
  }
});
