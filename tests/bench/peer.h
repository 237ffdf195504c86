#pragma once
// The peer: tests/bench/peer_pytorch.py measures the same rows in PyTorch.
// It runs under a Python that has torch (/usr/bin/python3, then python3 on
// PATH, or --python), without OPENBLAS_CORETYPE (see peer.cpp).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/bench/row.h"

namespace medrepro::bench {

struct PeerProbe {
  std::string python;         // the interpreter that has torch
  std::string torch_version, python_version;
  int cpu_count = 0;
  bool cuda = false;
  std::string cuda_device;
  bool onednn = false;     // torch's convolutions on the CPU
  std::string blas;        // the BLAS libraries torch loaded (its matmul and linear layers on the CPU)
  bool reference_blas = false;  // netlib's unoptimised BLAS (Debian's libblas3)
};

// The first candidate interpreter that imports torch; nullopt with `why` saying what was tried.
std::optional<PeerProbe> probe_peer(const std::string& python, std::string& why);

struct PeerConfig {
  std::string label;   // column heading, e.g. "PyTorch CPU"
  std::string device;  // "cpu" or "cuda"
  bool tf32 = false;   // cuda only
};

// On a CUDA machine, with our device a GPU: CUDA with TF32 off, then on. Otherwise the CPU.
std::vector<PeerConfig> peer_configs(const PeerProbe& probe, bool our_device_is_gpu);

struct PeerRun {
  PeerConfig config;
  std::string settings;                        // as the script reports them, for the report
  std::map<std::string, PeerTiming> timings;   // by row name
  std::map<std::string, std::string> errors;   // rows the peer could not run, by row name
  std::string failure;                         // the whole run failed: why
};

PeerRun run_peer(const PeerProbe& probe, const PeerConfig& config, const std::vector<Result>& results);

// What the report says about the peer's environment.
extern const char* const kPeerEnvironmentNote;

}  // namespace medrepro::bench
