// c10d data parallelism (see distributed.h). The Gloo backend needs gloo's headers (libgloo-dev on
// Debian; bundled with PyTorch's libtorch); NCCL is compiled only when CMake found a CUDA libtorch and
// nccl.h (RSNA_TRAIN_NCCL). Without them this file still builds and the missing backend is a typed error.
#if __has_include(<gloo/context.h>)
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#define RSNA_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(RSNA_TRAIN_NCCL)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include "train/common/distributed.h"

#include <cstdlib>
#include <iostream>
#include "addon/errors.h"

namespace rsna {
namespace train {
namespace {

int64_t EnvInt(const char* name, int64_t fallback, int64_t lo, int64_t hi) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long long x = std::strtoll(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string("environment ") + name + "=\"" + v + "\" must be an integer in [" +
                                                  std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return x;
}

// First line of a c10/gloo error (they append backtraces).
std::string FirstLine(const std::exception& e) {
  std::string m = e.what();
  auto nl = m.find('\n');
  return nl == std::string::npos ? m : m.substr(0, nl);
}

bool IsLoopback(const std::string& addr) { return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1"; }

}  // namespace

DistEnv ReadDistEnv() {
  DistEnv env;
  env.world_size = static_cast<int>(EnvInt("WORLD_SIZE", 1, 1, 65536));
  env.rank = static_cast<int>(EnvInt("RANK", 0, 0, env.world_size - 1));
  env.local_rank = static_cast<int>(EnvInt("LOCAL_RANK", 0, 0, 65535));
  env.master_port = static_cast<int>(EnvInt("MASTER_PORT", 29500, 1, 65535));
  if (const char* a = std::getenv("MASTER_ADDR")) {
    if (*a) env.master_addr = a;
  }
  return env;
}

std::pair<int64_t, int64_t> ShardRange(int64_t n, int rank, int world_size) {
  const int64_t base = n / world_size, extra = n % world_size;
  const int64_t begin = rank * base + std::min<int64_t>(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

std::vector<int64_t> InterleavedSlots(int64_t n, int rank, int world_size) {
  std::vector<int64_t> out;
  for (int64_t j = rank; j < n; j += world_size) out.push_back(j);
  return out;
}

struct DataParallel::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  torch::Device device{torch::kCPU};
};

DataParallel::DataParallel(const DistEnv& env, torch::Device device, std::chrono::milliseconds timeout)
    : env_(env), impl_(std::make_unique<Impl>()) {
  impl_->device = device;
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(env.master_port);
    so.isServer = env.rank == 0;
    so.numWorkers = static_cast<size_t>(env.world_size);
    so.waitWorkers = true;
    so.timeout = timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    if (device.is_cuda()) {
#if defined(RSNA_TRAIN_NCCL)
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      impl_->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, env.rank, env.world_size, opts);
      backend_ = "nccl";
#else
      throw NativeError("ERR_DIST_BACKEND", "this rsna-mammo-train was built without NCCL (needs a CUDA libtorch and nccl.h)");
#endif
    } else {
#if defined(RSNA_HAVE_GLOO)
      auto opts = c10d::ProcessGroupGloo::Options::create();
      opts->timeout = timeout;
      // GLOO_SOCKET_IFNAME as torch; a loopback master means every rank is on this machine.
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (ifname && *ifname) {
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      } else if (IsLoopback(env.master_addr)) {
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      } else {
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      }
      impl_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env.rank, env.world_size, opts);
      backend_ = "gloo";
#else
      throw NativeError("ERR_DIST_BACKEND", "this rsna-mammo-train was built without Gloo headers (apt install libgloo-dev, rebuild)");
#endif
    }
  } catch (const NativeError&) {
    throw;
  } catch (const std::exception& e) {
    throw NativeError("ERR_DIST_RENDEZVOUS", "rank " + std::to_string(env.rank) + "/" + std::to_string(env.world_size) +
                                                 " could not join " + env.master_addr + ":" + std::to_string(env.master_port) +
                                                 ": " + FirstLine(e));
  }
}

DataParallel::~DataParallel() = default;

void DataParallel::Broadcast(const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  std::vector<std::vector<at::Tensor>> holders;
  holders.reserve(tensors.size());
  for (const auto& t : tensors) {
    holders.push_back({t.detach()});
    c10d::BroadcastOptions o;
    o.rootRank = 0;
    works.push_back(impl_->pg->broadcast(holders.back(), o));
  }
  for (auto& w : works) w->wait();
}

void DataParallel::AllReduceGrads(const std::vector<torch::Tensor>& params, int64_t n_local, int64_t n_global,
                                  int64_t bucket_bytes) {
  if (n_global < 1 || n_local < 0 || n_local > n_global) {
    throw NativeError("ERR_INVALID_ARGUMENT", "AllReduceGrads: bad shard sizes");
  }
  torch::NoGradGuard no_grad;
  // Buckets in reverse parameter order (the order backward produces gradients), split by dtype.
  std::vector<std::vector<size_t>> buckets;
  int64_t filled = 0;
  for (size_t k = params.size(); k-- > 0;) {
    const auto& p = params[k];
    const int64_t bytes = p.numel() * static_cast<int64_t>(p.element_size());
    if (buckets.empty() || filled + bytes > bucket_bytes || params[buckets.back().front()].scalar_type() != p.scalar_type()) {
      buckets.emplace_back();
      filled = 0;
    }
    buckets.back().push_back(k);
    filled += bytes;
  }
  // Per-rank weight n_local/n_global: exact for equal shards of a power-of-two world.
  const double scale = static_cast<double>(n_local) / static_cast<double>(n_global);
  std::vector<std::vector<at::Tensor>> flats(buckets.size());
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (size_t b = 0; b < buckets.size(); ++b) {
    std::vector<at::Tensor> parts;
    for (size_t k : buckets[b]) {
      const auto& p = params[k];
      parts.push_back(p.grad().defined() ? p.grad().reshape({-1}) : torch::zeros({p.numel()}, p.options()));
    }
    flats[b] = {torch::cat(parts).mul_(scale)};
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    works.push_back(impl_->pg->allreduce(flats[b], o));
  }
  for (size_t b = 0; b < buckets.size(); ++b) {
    works[b]->wait();
    int64_t off = 0;
    for (size_t k : buckets[b]) {
      const auto& p = params[k];
      if (p.grad().defined()) p.mutable_grad().copy_(flats[b][0].slice(0, off, off + p.numel()).view_as(p));
      off += p.numel();
    }
  }
}

double DataParallel::SumAcrossRanks(double v) {
  torch::Tensor t = torch::full({1}, v, torch::TensorOptions().dtype(torch::kFloat64).device(impl_->device));
  SumInPlace(t);
  return t.item<double>();
}

void DataParallel::SumInPlace(const torch::Tensor& t) {
  std::vector<at::Tensor> holder{t};
  impl_->pg->allreduce(holder)->wait();
}

torch::Tensor DataParallel::GatherRows(const torch::Tensor& local, int64_t n_global) {
  // Zero-padded sum: every row is one rank's value plus zeros, so the result is exact.
  auto sizes = local.sizes().vec();
  sizes[0] = n_global;
  std::vector<at::Tensor> t{torch::zeros(sizes, local.options())};
  auto r = Shard(n_global);
  if (r.second - r.first != local.size(0)) throw NativeError("ERR_INVALID_ARGUMENT", "GatherRows: local rows != shard size");
  t[0].slice(0, r.first, r.second).copy_(local.detach());
  impl_->pg->allreduce(t)->wait();
  return t[0];
}

void DataParallel::Barrier() { impl_->pg->barrier()->wait(); }

}  // namespace train
}  // namespace rsna
