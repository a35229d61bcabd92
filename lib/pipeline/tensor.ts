/**
 * The classifier tensor of a batch: float32 [N, 3, H, W] with 3 identical channels of the uint8
 * input, values 0..255 (ALGORITHMS.md §3.1.4–3.1.5; normalization happens inside the model, §4.4).
 * Host inputs: written by one native job on the libuv pool (imgprocBatchTensor), nothing on the JS
 * thread, into a shared buffer reused from batch to batch (the ONNX Runtime worker reads it in place; a
 * fresh 50 MB array per batch would make V8 run full garbage collections on the JS thread). GPU inputs:
 * assembled on the device (lib/gpu/deviceBatch.ts) and downloaded into the same buffer only for a
 * backend that needs host data.
 */
import { imgprocAddon } from '../preprocess/addon';
import { native } from '../preprocess/validate';

/** Reusable storage for batch tensors (one per session; batches are inferred one at a time). */
export class BatchTensorBuffer {
  private storage: Float32Array<ArrayBufferLike> = new Float32Array(0);

  /** The first `size` values of the storage (grown when needed), valid until the next call. */
  view(size: number): Float32Array<ArrayBufferLike> {
    if (this.storage.length < size) this.storage = new Float32Array(new SharedArrayBuffer(size * 4));
    return this.storage.subarray(0, size);
  }

  /**
   * Fills the tensor of `inputs`.
   * @param inputs uint8 images of `plane` pixels each.
   * @returns a view of the internal buffer, valid until the next call.
   */
  async fill(inputs: readonly Uint8Array[], plane: number): Promise<Float32Array<ArrayBufferLike>> {
    const data = this.view(inputs.length * 3 * plane);
    await native(() => imgprocAddon().imgprocBatchTensor([...inputs], plane, data));
    return data;
  }
}
