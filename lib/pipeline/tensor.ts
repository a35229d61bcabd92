/**
 * The classifier tensor of a batch: float32 [N, 3, H, W] with 3 identical channels of the uint8
 * input, values 0..255 (ALGORITHMS.md §3.1.4–3.1.5; normalization happens inside the model, §4.4).
 * Filled in slices with a yield between them (a batch is ~50 MB: writing it in one go would hold
 * the event loop for tens of milliseconds), into a buffer reused from batch to batch (a fresh 50 MB
 * array per batch makes V8 run full garbage collections on the JS thread).
 */

/** Elements written between two yields to the event loop (~2 MB of float32). */
const SLICE = 1 << 19;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reusable storage for batch tensors (one per session; batches are inferred one at a time). */
export class BatchTensorBuffer {
  private storage: Float32Array<ArrayBufferLike> = new Float32Array(0);

  /**
   * Fills the tensor of `inputs`.
   * @param inputs uint8 images of `plane` pixels each.
   * @returns a view of the internal buffer, valid until the next call.
   */
  async fill(inputs: readonly Uint8Array[], plane: number): Promise<Float32Array<ArrayBufferLike>> {
    const size = inputs.length * 3 * plane;
    // Shared memory: the ONNX Runtime worker reads it in place (lib/runtime/onnxruntime_backend.ts).
    if (this.storage.length < size) this.storage = new Float32Array(new SharedArrayBuffer(size * 4));
    const data = this.storage.subarray(0, size);
    for (let n = 0; n < inputs.length; n++) {
      const base = n * 3 * plane;
      for (let start = 0; start < plane; start += SLICE) {
        const end = Math.min(plane, start + SLICE);
        data.set(inputs[n].subarray(start, end), base + start);
        data.copyWithin(base + plane + start, base + start, base + end);
        data.copyWithin(base + 2 * plane + start, base + start, base + end);
        await yieldToLoop();
      }
    }
    return data;
  }
}
