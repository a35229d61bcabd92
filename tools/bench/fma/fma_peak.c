/*
 * The core's fp32 FMA peak: independent chains of fused multiply-adds whose accumulators stay in
 * registers (no loads, no stores), AVX-512 or AVX2+FMA chosen at run time, on N threads.
 * Compiled by the bench (tools/bench/harness/fma.ts) with the system C compiler; not part of the package.
 * Usage: [FMA_PEAK_ISA=avx2] fma_peak THREADS  ->  {"isa":"avx512f","threads":N,"gflops":X} (best of 15 trials of ~0.05 s: the peak, not an average under load)
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12 /* > FMA latency (4) × FMA ports (2): every port busy every cycle */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define STEP(OP) \
  a0 = OP(a0, m, c); a1 = OP(a1, m, c); a2 = OP(a2, m, c); a3 = OP(a3, m, c); \
  a4 = OP(a4, m, c); a5 = OP(a5, m, c); a6 = OP(a6, m, c); a7 = OP(a7, m, c); \
  a8 = OP(a8, m, c); a9 = OP(a9, m, c); a10 = OP(a10, m, c); a11 = OP(a11, m, c);

__attribute__((target("avx512f"))) static float chains512(long iters) {
  __m512 m = _mm512_set1_ps(0.99999f), c = _mm512_set1_ps(1e-6f);
  __m512 a0 = _mm512_set1_ps(0.f), a1 = _mm512_set1_ps(1.f), a2 = _mm512_set1_ps(2.f), a3 = _mm512_set1_ps(3.f);
  __m512 a4 = _mm512_set1_ps(4.f), a5 = _mm512_set1_ps(5.f), a6 = _mm512_set1_ps(6.f), a7 = _mm512_set1_ps(7.f);
  __m512 a8 = _mm512_set1_ps(8.f), a9 = _mm512_set1_ps(9.f), a10 = _mm512_set1_ps(10.f), a11 = _mm512_set1_ps(11.f);
  for (long i = 0; i < iters; i++) { STEP(_mm512_fmadd_ps) }
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                           _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float chains256(long iters) {
  __m256 m = _mm256_set1_ps(0.99999f), c = _mm256_set1_ps(1e-6f);
  __m256 a0 = _mm256_set1_ps(0.f), a1 = _mm256_set1_ps(1.f), a2 = _mm256_set1_ps(2.f), a3 = _mm256_set1_ps(3.f);
  __m256 a4 = _mm256_set1_ps(4.f), a5 = _mm256_set1_ps(5.f), a6 = _mm256_set1_ps(6.f), a7 = _mm256_set1_ps(7.f);
  __m256 a8 = _mm256_set1_ps(8.f), a9 = _mm256_set1_ps(9.f), a10 = _mm256_set1_ps(10.f), a11 = _mm256_set1_ps(11.f);
  for (long i = 0; i < iters; i++) { STEP(_mm256_fmadd_ps) }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

static int lanes;          /* fp32 lanes per vector: 16 or 8 */
static long iters;
static volatile float sink;

static void* worker(void* arg) {
  (void)arg;
  sink += lanes == 16 ? chains512(iters) : chains256(iters);
  return NULL;
}

/* GFLOP/s of one trial on `threads` threads (2 FLOP per lane per FMA). */
static double trial(int threads) {
  pthread_t t[256];
  double t0 = now();
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  double s = now() - t0;
  return 2.0 * lanes * CHAINS * (double)iters * threads / s / 1e9;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256) return 2;
  __builtin_cpu_init();
  const char* isa;
  const char* force = getenv("FMA_PEAK_ISA");
  if (__builtin_cpu_supports("avx512f") && !(force && force[0] == 'a' && force[3] == '2')) { lanes = 16; isa = "avx512f"; }
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) { lanes = 8; isa = "avx2+fma"; }
  else { printf("{\"unavailable\":\"neither AVX-512 nor AVX2+FMA on this CPU\"}\n"); return 0; }
  iters = 1000000; /* calibrate to ~0.05 s per trial */
  double g = trial(1);
  iters = (long)(0.05 * g * 1e9 / (2.0 * lanes * CHAINS));
  if (iters < 1000) iters = 1000;
  double best = 0;
  for (int k = 0; k < 15; k++) { double x = trial(threads); if (x > best) best = x; }
  printf("{\"isa\":\"%s\",\"threads\":%d,\"gflops\":%.1f}\n", isa, threads, best);
  return 0;
}
