/**
 * Validation-table reducers of projects/rsna/exps/base_exp.py `compute_metrics` (ALGORITHMS.md §6.3).
 */

/** One validation/OOF row: the columns the reducers read. */
export interface PredictionRow {
  siteId: number;
  patientId: string;
  laterality: string;
  /** Label used as `targets` (0/1). */
  target: number;
  /** Predicted probability. */
  pred: number;
}

/** Labels and predictions after reduction, in the order the original evaluates them. */
export interface ReducedTable {
  gts: Float64Array;
  preds: Float64Array;
}

export type ReducerName = 'single' | 'gbmean' | 'gbmean_site1' | 'gbmean_site2' | 'gbmax';

/** The reducers in the original's order; `gbmax` is implemented as a MEAN there (§6.3). */
export const REDUCER_NAMES: readonly ReducerName[] = ['single', 'gbmean', 'gbmean_site1', 'gbmean_site2', 'gbmax'];

/** Applies one reducer: `single` keeps image rows; the `gb*` ones average per (patient_id, laterality). */
export function reduceRows(rows: readonly PredictionRow[], reducer: ReducerName): ReducedTable {
  if (reducer === 'single') {
    return { gts: Float64Array.from(rows, (r) => r.target), preds: Float64Array.from(rows, (r) => r.pred) };
  }
  const site = reducer === 'gbmean_site1' ? 1 : reducer === 'gbmean_site2' ? 2 : undefined;
  return meanPerBreast(site === undefined ? rows : rows.filter((r) => r.siteId === site));
}

/** pandas `groupby(['patient_id', 'laterality']).mean()`: groups sorted by key, arithmetic means. */
function meanPerBreast(rows: readonly PredictionRow[]): ReducedTable {
  const groups = new Map<string, { patientId: string; laterality: string; n: number; target: number; pred: number }>();
  for (const r of rows) {
    const key = `${r.patientId}\u0000${r.laterality}`;
    let g = groups.get(key);
    if (!g) {
      g = { patientId: r.patientId, laterality: r.laterality, n: 0, target: 0, pred: 0 };
      groups.set(key, g);
    }
    g.n++;
    g.target += r.target;
    g.pred += r.pred;
  }
  const sorted = [...groups.values()].sort((a, b) => comparePatient(a.patientId, b.patientId) || compareStr(a.laterality, b.laterality));
  return {
    gts: Float64Array.from(sorted, (g) => g.target / g.n),
    preds: Float64Array.from(sorted, (g) => g.pred / g.n),
  };
}

/** Numeric patient ids sort as numbers (pandas reads them as int64), others as strings. */
function comparePatient(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return compareStr(a, b);
}

function compareStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
