/**
 * The in-flight pixel budget: a frame's decode starts only when its pixels fit under
 * maxPixelsInFlight together with the frames already being decoded (first come, first served), so
 * N images in flight cannot add up to more output memory than one limit allows.
 */
import { dicomLimits, limitError } from './limits';

let inFlight = 0;
const waiting: { pixels: number; go: () => void }[] = [];

function pump(): void {
  while (waiting.length && inFlight + waiting[0].pixels <= dicomLimits().maxPixelsInFlight) {
    const next = waiting.shift()!;
    inFlight += next.pixels;
    next.go();
  }
}

/** Waits until `pixels` fit the budget; returns the release function (call it exactly once). */
export async function acquirePixels(pixels: number, file?: string): Promise<() => void> {
  if (pixels > dicomLimits().maxPixelsInFlight) {
    throw limitError('ERR_DICOM_TOO_LARGE', 'maxPixelsInFlight', `a frame of ${pixels} pixels`, file);
  }
  await new Promise<void>((go) => {
    waiting.push({ pixels, go });
    pump();
  });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    inFlight -= pixels;
    pump();
  };
}

/** Pixels being decoded now (tests, diagnostics). */
export function pixelsInFlight(): number {
  return inFlight;
}
