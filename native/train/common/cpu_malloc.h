// glibc malloc settings for training on the CPU. Activations and gradients are large (MBs to GBs) and
// are freed and allocated again at every step; by default glibc serves each one with a fresh mmap and
// returns it on free, so every step pays the kernel's page faults and zeroing for all of them (for a
// small ConvNeXt on one core: 718k page faults and a fifth of the CPU time in the kernel for 6 steps;
// 195k with these settings). With mmap off and trimming off, freed blocks stay in
// the heap and the next step reuses them. Only where libtorch allocates activations with malloc
// (the CPU device); no effect on any value.
#pragma once
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rsna {
namespace train {

inline void KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
#endif
}

}  // namespace train
}  // namespace rsna
