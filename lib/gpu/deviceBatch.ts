/**
 * The batch engine input assembled on the GPU (native/cuda_addon DeviceBatch): float32 [B,3,H,W], 3
 * identical channels of each uint8 classifier input, values 0..255 (ALGORITHMS.md §3.1.4–3.1.5), in
 * device memory reused from batch to batch. Handed to a GPU backend as a DeviceTensor (consumed in
 * place); a host backend gets the one device→host copy of the whole batch.
 */
import { invalidArgument } from '../errors';
import { CudaAddon, loadCudaAddon } from '../native';
import type { DeviceTensor } from '../runtime/types';
import { nativeCall } from '../util/nativeCall';
import { GpuPlane, NativeCudaPlane } from './pipeline';

interface NativeCudaBatch {
  fill(items: (NativeCudaPlane | Uint8Array)[], height: number, width: number): Promise<void>;
  download(into: Float32Array): Promise<void>;
  readonly address: bigint;
  readonly deviceId: number;
  readonly dims: number[];
  dispose(): void;
}

interface BatchAddon extends CudaAddon {
  cudaBatchTensor(): NativeCudaBatch;
}

/** One reusable batch tensor on the GPU (batches are inferred one at a time). */
export class DeviceBatchTensor {
  private handle: NativeCudaBatch | undefined;

  /**
   * Writes the batch of `inputs` on the device: GPU planes in place, host images uploaded first (an
   * image the CPU prepared after a CUDA failure).
   * @returns the tensor as a DeviceTensor, valid until the next fill() or dispose().
   * @throws RsnaMammoError ERR_CUDA_UNAVAILABLE, ERR_INFER_SHAPE (an input of another size), ERR_CUDA
   */
  async fill(inputs: readonly (GpuPlane | Uint8Array)[], height: number, width: number): Promise<DeviceTensor> {
    if (inputs.length === 0) throw invalidArgument('inputs', 'at least one classifier input', inputs);
    this.handle ??= (loadCudaAddon() as BatchAddon).cudaBatchTensor();
    const batch = this.handle;
    const items = inputs.map((x) => (x instanceof Uint8Array ? x : x.native()));
    await nativeCall(() => batch.fill(items, height, width));
    return { location: 'cuda', deviceId: batch.deviceId, address: batch.address, dims: [...batch.dims], dtype: 'float32', owner: this };
  }

  /** The one device→host copy of the last batch, into `into` (at least B·3·H·W values). */
  async download(into: Float32Array): Promise<void> {
    const batch = this.handle;
    if (!batch) throw invalidArgument('batch', 'a filled batch tensor', undefined);
    await nativeCall(() => batch.download(into));
  }

  /** Frees the device memory. */
  dispose(): void {
    this.handle?.dispose();
    this.handle = undefined;
  }
}
