/**
 * cos(x) rounded to the nearest double. V8's Math.cos (fdlibm) is off by one ulp for some
 * arguments where the C library's cos (what Python's math.cos calls) is correctly rounded; timm's
 * cosine schedule goes through math.cos, so the lr tables need the correctly rounded value.
 * Computed in 320-bit fixed point with BigInt (Taylor series; the arguments here are in [0, π]).
 */
const SCALE_BITS = 320n;
const ONE = 1n << SCALE_BITS;
const TWO_POW_SCALE = 2 ** 320;

/**
 * @param x any finite double with |x| ≤ 8 (larger values throw: no range reduction is done)
 */
export function cosCorrectlyRounded(x: number): number {
  const a = Math.abs(x);
  if (!(a <= 8)) throw new RangeError(`cosCorrectlyRounded: |x| must be <= 8, got ${x}`);
  if (a < 2 ** -30) return 1; // cos(x) = 1 − x²/2 + … rounds to 1 here
  // a·2^320 is an integer (a ≥ 2^-30 has no bits below 2^-83) and exact (power-of-two scaling).
  const xf = BigInt(a * TWO_POW_SCALE);
  const x2 = (xf * xf) >> SCALE_BITS;
  let term = ONE;
  let sum = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = -(((term * x2) >> SCALE_BITS) / ((2n * n - 1n) * (2n * n)));
    sum += term;
  }
  // BigInt → Number rounds to nearest (ties to even); dividing by 2^320 is exact.
  return Number(sum) / TWO_POW_SCALE;
}
