/** The native trainer in tests: skip visibly when build-train/rsna-mammo-train is absent. */
import { trainExecutableStatus } from '../../lib/train/executable';

export function needsTrainer(): { skip: string | false } {
  const s = trainExecutableStatus();
  return { skip: s.built ? false : `native trainer absent (${s.reason}): skipped` };
}
