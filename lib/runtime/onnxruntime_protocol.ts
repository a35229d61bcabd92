/** Messages between the ONNX Runtime backend (main thread) and its session worker. */
import type { TensorData } from './types';

export type OrtRequest =
  | { id: number; type: 'load'; modelPath: string; providers?: string[]; threads?: number }
  | { id: number; type: 'run'; feeds: Record<string, TensorData> }
  | { id: number; type: 'dispose' };

export interface OrtLoadResult {
  inputNames: string[];
  outputNames: string[];
  inputShapes: (number | string)[][];
  outputShapes: (number | string)[][];
  providers: string[];
  notes: string[];
}

export interface OrtResponse {
  id: number;
  ok: boolean;
  error?: string;
  result?: OrtLoadResult | { outputs: Record<string, TensorData> };
}
