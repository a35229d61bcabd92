/**
 * rsna-mammo's side of every stage. An adapter whose lib functions are not in this build returns
 * the reason instead, and the row says "not available" (never a faked number).
 */
import { BenchJob, StageName } from '../types';
import { Adapter, StageSetup } from './common';
import { MODEL_ADAPTERS } from './models';
import { PIXEL_ADAPTERS } from './pixels';

const ADAPTERS: Partial<Record<StageName, Adapter>> = { ...PIXEL_ADAPTERS, ...MODEL_ADAPTERS };

/** The adapter of the job's stage, or why it is not available in this build. */
export function oursStage(job: BenchJob): StageSetup | string {
  const adapter = ADAPTERS[job.stage];
  return adapter ? adapter(job) : `no rsna-mammo adapter for stage ${job.stage}`;
}
