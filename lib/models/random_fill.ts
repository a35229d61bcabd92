/** Seeded random numbers for the random-weight checkpoint makers (reproducible across runs and platforms). */

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with N(mean, std²) samples (Box-Muller). */
export function normalFill(out: Float32Array, rand: () => number, mean: number, std: number): void {
  for (let i = 0; i < out.length; i += 2) {
    const u = Math.max(rand(), 1e-12);
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    const th = 2 * Math.PI * rand();
    out[i] = mean + r * Math.cos(th);
    if (i + 1 < out.length) out[i + 1] = mean + r * Math.sin(th);
  }
}
