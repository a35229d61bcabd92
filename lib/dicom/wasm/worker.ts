/** Worker thread of the WASM decode pool: decodes jobs off the main thread (pool.ts). */
import { parentPort } from 'worker_threads';
import { CodecError, decodeWithWasm, wasmDecoderName } from './codecs';
import type { WasmJob, WasmReply } from './protocol';

parentPort?.on('message', (job: WasmJob) => {
  decodeWithWasm(job.codec, job.bytes, job.layout).then(
    (pixels) => {
      const buffer = pixels.buffer as ArrayBuffer;
      const reply: WasmReply = { id: job.id, ok: true, pixels: buffer, decoder: wasmDecoderName(job.codec) };
      parentPort?.postMessage(reply, [buffer]);
    },
    (err: unknown) => {
      const code = err instanceof CodecError ? err.code : 'ERR_DICOM_DECODE';
      const reply: WasmReply = { id: job.id, ok: false, code, message: err instanceof Error ? err.message : String(err) };
      parentPort?.postMessage(reply);
    },
  );
});
