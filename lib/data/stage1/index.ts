/**
 * Stage 1 of the classification dataset for the six datasets (ALGORITHMS.md §7.0–7.6), in the
 * original's processing order.
 */
import fs from 'fs';
import { stage1Bmcd } from './bmcd';
import { stage1Cddcesm } from './cddcesm';
import { stage1Cmmd } from './cmmd';
import { RowOrder, Stage1Context, Stage1Result } from './common';
import { stage1Miniddsm } from './miniddsm';
import { stage1Rsna } from './rsna';
import { stage1Vindr } from './vindr';

export { Stage1Context, Stage1Result, RowOrder } from './common';

export const DATASETS = ['rsna-breast-cancer-detection', 'vindr', 'miniddsm', 'cmmd', 'cddcesm', 'bmcd'] as const;
export type DatasetName = (typeof DATASETS)[number];

/**
 * Runs stage 1 of one dataset: removes the old stage1_images (folder or link), then writes
 * cleaned_label.csv and the new stage1_images.
 * @param rowOrder CMMD/BMCD row order: as the shipped cleaned CSVs (default) or the code's sort
 */
export async function runStage1(dataset: DatasetName, ctx: Stage1Context, rowOrder: RowOrder = 'shipped'): Promise<Stage1Result> {
  fs.rmSync(ctx.stage1Dir, { recursive: true, force: true });
  switch (dataset) {
    case 'rsna-breast-cancer-detection':
      return stage1Rsna(ctx);
    case 'vindr':
      return stage1Vindr(ctx);
    case 'miniddsm':
      return stage1Miniddsm(ctx);
    case 'cmmd':
      return stage1Cmmd(ctx, rowOrder);
    case 'cddcesm':
      return stage1Cddcesm(ctx);
    case 'bmcd':
      return stage1Bmcd(ctx, rowOrder);
  }
}
