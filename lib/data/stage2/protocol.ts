/** Messages between the stage-2 pool and its worker threads. */
import type { RoiDetectorName } from '../../roi';
import type { RoiResult } from '../../roi';
import type { Stage2Kind } from './processImage';

export interface Stage2WorkerInit {
  /** YOLOX ONNX model; absent = Otsu/full-frame fallbacks only. */
  roiModel?: string;
  roi: RoiDetectorName;
}

export interface Stage2Job {
  id: number;
  kind: Stage2Kind;
  src: string;
  dst: string;
}

export type Stage2Reply = { id: number; ok: true; roi: RoiResult } | { id: number; ok: false; error: string };
