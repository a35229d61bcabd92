/**
 * numpy's legacy `RandomState(seed)` random stream, as far as `StratifiedGroupKFold(shuffle=True)`
 * uses it (ALGORITHMS.md §8.3): MT19937 seeded by `init_genrand(seed)`, 32-bit outputs, and
 * `shuffle` = Fisher–Yates from the end with `random_interval` (masked rejection sampling).
 */

const N = 624;
const M = 397;

/** The Mersenne Twister MT19937 generator with numpy's legacy integer seeding. */
export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private index = N;

  /** @param seed integer in [0, 2^32 − 1], as `numpy.random.RandomState(seed)` accepts it */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32-1], got ${seed}`);
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** Next 32-bit output (`genrand_int32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** numpy `random_interval(max)`: uniform integer in [0, max] by masked rejection (max < 2^32). */
  randomInterval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /**
   * The permutation `RandomState.shuffle` applies to a sequence of length n: returns `perm` such that
   * after the shuffle, position p holds the element originally at perm[p].
   */
  shufflePermutation(n: number): Int32Array {
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    return perm;
  }
}

/**
 * numpy's legacy `RandomState` methods built on the MT19937 stream, as far as the training sampler
 * (docs/ALGORITHMS.md §9.5) calls them. Each consumes the stream exactly as numpy 1.24 does.
 */
export class LegacyRandomState {
  readonly mt: Mt19937;

  /** @param seed as `numpy.random.seed(seed)` / `RandomState(seed)` */
  constructor(seed: number) {
    this.mt = new Mt19937(seed);
  }

  /** `shuffle(x)` of a 1-D array, in place (Fisher–Yates from the end). */
  shuffle<T>(x: T[] | Int32Array | Float64Array): void {
    for (let i = x.length - 1; i >= 1; i--) {
      const j = this.mt.randomInterval(i);
      const tmp = x[i];
      x[i] = x[j];
      x[j] = tmp;
    }
  }

  /** `permutation(n)`: a shuffled `arange(n)`. */
  permutation(n: number): Int32Array {
    return this.mt.shufflePermutation(n);
  }

  /**
   * `choice(n, size, replace=False)` without weights: the first `size` entries of `permutation(n)`.
   * Like numpy it draws the full permutation even when `size` is 0.
   */
  choiceNoReplace(n: number, size: number): Int32Array {
    if (!Number.isInteger(size) || size < 0 || size > n) throw new RangeError(`choice: cannot take ${size} of ${n} without replacement`);
    return this.permutation(n).slice(0, size);
  }
}
