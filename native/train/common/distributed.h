// Data parallelism over torch's own distributed layer (c10d), for any trainer step loop:
// rendezvous through a c10d TCPStore from the environment torchrun sets (MASTER_ADDR, MASTER_PORT,
// RANK, WORLD_SIZE, LOCAL_RANK), Gloo on CPU and NCCL on CUDA (when this libtorch has it), initial
// weights broadcast from rank 0, gradients all-reduced in flat buckets so that every rank ends with
// the gradient of the GLOBAL batch's mean loss (ALGORITHMS.md §9.2: the single-process step), and the
// global batch split into contiguous per-rank shards (same samples, same order as one process).
// Only rank 0 writes outputs (IsMain()).
#pragma once
#include <torch/torch.h>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rsna {
namespace train {

struct DistEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
};

// Reads torchrun's variables; ERR_INVALID_ARGUMENT names the bad one. Absent RANK/WORLD_SIZE = one process.
DistEnv ReadDistEnv();

// [begin, end) of this rank's rows in a global batch of n: contiguous, sizes differ by at most one.
std::pair<int64_t, int64_t> ShardRange(int64_t n, int rank, int world_size);

// This rank's slots of a global batch of n drawn from the sampler's list: j = rank, rank + W, ...
// (ALGORITHMS.md §9.11: the positions ignite's DistributedProxySampler gives a rank under timm's loader).
std::vector<int64_t> InterleavedSlots(int64_t n, int rank, int world_size);

class DataParallel {
 public:
  // Joins the group (blocks until all ranks are there or `timeout`). `device` picks the backend.
  DataParallel(const DistEnv& env, torch::Device device,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(300000));
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  bool IsMain() const { return env_.rank == 0; }
  const std::string& backend() const { return backend_; }
  std::pair<int64_t, int64_t> Shard(int64_t n) const { return ShardRange(n, env_.rank, env_.world_size); }

  // Every tensor takes rank 0's values (model weights, EMA copies, buffers).
  void Broadcast(const std::vector<torch::Tensor>& tensors);
  // p.grad (of this rank's mean loss over n_local rows) becomes the gradient of the mean over all
  // n_global rows: sum over ranks of grad·n_local/n_global, in buckets of ~bucket_bytes, all buckets
  // in flight at once. Parameters without a gradient contribute zeros and stay without one.
  void AllReduceGrads(const std::vector<torch::Tensor>& params, int64_t n_local, int64_t n_global,
                      int64_t bucket_bytes = 25 << 20);
  // Σ over ranks (double on the wire as float64).
  double SumAcrossRanks(double v);
  // t ← Σ over ranks of t, in place (any dtype the backend reduces; same shape on every rank).
  void SumInPlace(const torch::Tensor& t);
  // The rows of every rank's `local` ([n_local, ...]) concatenated in rank order ([n_global, ...]).
  torch::Tensor GatherRows(const torch::Tensor& local, int64_t n_global);
  void Barrier();

 private:
  struct Impl;
  DistEnv env_;
  std::string backend_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace train
}  // namespace rsna
