/** Worker thread of the WASM pool (pool.ts): decodes with the npm codecs and renders `standard` images off the main thread. */
import { parentPort } from 'worker_threads';
import { renderStandard } from '../standardRender';
import type { DicomImage } from '../types';
import { CodecError, decodeWithWasm, wasmDecoderName } from './codecs';
import type { WasmJob, WasmReply } from './protocol';

async function runJob(job: WasmJob): Promise<{ pixels: ArrayBuffer; decoder: string }> {
  if (job.kind === 'render') {
    const out = renderStandard(job.frame, job.image as DicomImage, job.options);
    return { pixels: out.buffer as ArrayBuffer, decoder: 'standard-render' };
  }
  const pixels = await decodeWithWasm(job.codec, job.bytes, job.layout);
  return { pixels: pixels.buffer as ArrayBuffer, decoder: wasmDecoderName(job.codec) };
}

parentPort?.on('message', (job: WasmJob) => {
  runJob(job).then(
    ({ pixels, decoder }) => {
      const reply: WasmReply = { id: job.id, ok: true, pixels, decoder };
      parentPort?.postMessage(reply, [pixels]);
    },
    (err: unknown) => {
      const e = err as { code?: unknown; message?: unknown };
      const code = err instanceof CodecError || typeof e?.code === 'string' ? String(e.code) : 'ERR_DICOM_DECODE';
      const reply: WasmReply = { id: job.id, ok: false, code, message: typeof e?.message === 'string' ? e.message : String(err) };
      parentPort?.postMessage(reply);
    },
  );
});
