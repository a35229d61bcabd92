/**
 * Synthesizes mammogram-like 12-bit images (seeded, deterministic: only +, *, / and sqrt, so the
 * bytes are the same on every machine): a breast silhouette against the chest wall, fibroglandular
 * texture from value noise, a pectoral muscle on MLO views, a few bright specks and a film label.
 */

import { seededRandom } from '../../lib/models/random_fill';

/** Value noise: random values on a coarse grid, bilinearly interpolated, smoothstep-weighted. */
function valueNoise(rows: number, cols: number, cell: number, rand: () => number): Float64Array {
  const gh = Math.ceil(rows / cell) + 2;
  const gw = Math.ceil(cols / cell) + 2;
  const grid = Float64Array.from({ length: gh * gw }, rand);
  const out = new Float64Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    const fy = y / cell;
    const iy = Math.floor(fy);
    let ty = fy - iy;
    ty = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < cols; x++) {
      const fx = x / cell;
      const ix = Math.floor(fx);
      let tx = fx - ix;
      tx = tx * tx * (3 - 2 * tx);
      const a = grid[iy * gw + ix];
      const b = grid[iy * gw + ix + 1];
      const c = grid[(iy + 1) * gw + ix];
      const d = grid[(iy + 1) * gw + ix + 1];
      out[y * cols + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
  return out;
}

/** What to draw. */
export interface SynthSpec {
  rows: number;
  columns: number;
  laterality: 'L' | 'R';
  view: 'CC' | 'MLO';
  seed: number;
}

/**
 * Draws one view as 12-bit stored values (0..4095, higher = denser, i.e. MONOCHROME2 polarity).
 * The chest wall is at the left edge for L and at the right edge for R.
 */
export function synthesizeMammogram(spec: SynthSpec): Uint16Array {
  const { rows, columns: cols, laterality, view, seed } = spec;
  const rand = seededRandom(seed);
  const edge = valueNoise(rows, 1, 48, rand); // wobble of the skin line along y
  const tex = [valueNoise(rows, cols, 64, rand), valueNoise(rows, cols, 24, rand), valueNoise(rows, cols, 8, rand)];
  const grain = valueNoise(rows, cols, 2, rand);
  const out = new Uint16Array(rows * cols);
  const cy = view === 'CC' ? rows * 0.5 : rows * 0.56;
  const ry = view === 'CC' ? rows * 0.4 : rows * 0.47;
  const rx = cols * (0.62 + 0.1 * rand());
  for (let y = 0; y < rows; y++) {
    const dy = (y - cy) / ry;
    const reach = rx * (0.94 + 0.12 * edge[y]);
    for (let xi = 0; xi < cols; xi++) {
      const x = laterality === 'L' ? xi : cols - 1 - xi; // distance from the chest wall
      const i = y * cols + xi;
      const r2 = (x / reach) * (x / reach) + dy * dy;
      let v = 180 + 60 * grain[i]; // air / detector background
      if (r2 < 1) {
        const depth = Math.sqrt(1 - r2); // thickness falls off toward the skin line
        const fibro = 0.55 * tex[0][i] + 0.3 * tex[1][i] + 0.15 * tex[2][i];
        const glandular = fibro > 0.5 ? (fibro - 0.5) * 2 : 0;
        v = 1300 + 900 * depth + 1100 * glandular * depth + 80 * grain[i];
      }
      if (view === 'MLO') {
        // Pectoral muscle: a bright triangle in the upper corner at the chest wall.
        const px = cols * 0.38;
        const py = rows * 0.42;
        if (x / px + y / py < 1) v = 3100 + 300 * tex[1][i] + 60 * grain[i];
      }
      out[i] = Math.max(0, Math.min(4095, Math.round(v)));
    }
  }
  // A few microcalcification-like specks inside the breast.
  for (let k = 0; k < 6; k++) {
    const sy = Math.floor(cy + (rand() - 0.5) * ry);
    const sx = Math.floor(rand() * rx * 0.6);
    for (let yy = sy - 1; yy <= sy + 1; yy++) {
      for (let xx = sx - 1; xx <= sx + 1; xx++) {
        const xi = laterality === 'L' ? xx : cols - 1 - xx;
        if (yy >= 0 && yy < rows && xi >= 0 && xi < cols) out[yy * cols + xi] = 4000;
      }
    }
  }
  // A small film label near the far edge (outside the breast): Otsu must ignore it.
  const ly = Math.floor(rows * 0.05);
  for (let yy = ly; yy < ly + 14; yy++) {
    for (let xx = 0; xx < 30; xx++) {
      const xi = laterality === 'L' ? cols - 40 + xx : 10 + xx;
      out[yy * cols + xi] = 3900;
    }
  }
  return out;
}
