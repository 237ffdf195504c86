#include "tests/bench/peer.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "papers/common/files.h"
#include "papers/common/json.h"

#ifndef MEDREPRO_SOURCE_DIR
#define MEDREPRO_SOURCE_DIR "."
#endif

namespace medrepro::bench {
namespace {

using report::Json;

const std::string kScript = std::string(MEDREPRO_SOURCE_DIR) + "/tests/bench/peer_pytorch.py";

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// OPENBLAS_CORETYPE=Haswell (set on this machine) halves OpenBLAS's and so
// torch's matmul speed; the peer runs with the library's own choice.
std::string peer_command(const std::string& python, const std::string& arguments) {
  return "env -u OPENBLAS_CORETYPE " + quote(python) + " " + quote(kScript) + " " + arguments;
}

struct Output {
  std::string text;
  int status = -1;  // exit status, -1 if it did not exit normally
};

// Runs `command` through the shell; stdout is returned, stderr passes through as progress.
Output run_command(const std::string& command) {
  Output out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer;
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.text.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

Json row_request(const Result& result) {
  Json request = result.row.peer;
  const Budget& budget = result.row.budget;
  request.set("name", result.row.name).set("samples", budget.samples).set("min_samples", budget.min_samples)
      .set("seconds", budget.seconds).set("sample_ms", budget.sample_ms).set("max_reps", budget.max_reps);
  return request;
}

}  // namespace

const char* const kPeerEnvironmentNote =
    "The peer runs without OPENBLAS_CORETYPE (this environment sets it to Haswell, which halves OpenBLAS's and "
    "so PyTorch's matmul speed); torch.set_num_threads(os.cpu_count()).";

std::optional<PeerProbe> probe_peer(const std::string& python, std::string& why) {
  const std::vector<std::string> candidates =
      python.empty() ? std::vector<std::string>{"/usr/bin/python3", "python3"} : std::vector<std::string>{python};
  why.clear();
  for (const std::string& candidate : candidates) {
    const Output out = run_command(peer_command(candidate, "--probe 2>/dev/null"));
    if (out.status != 0) {
      why += (why.empty() ? "" : "; ") + candidate + (out.status == 3 ? " has no torch" : " did not run the probe");
      continue;
    }
    try {
      const Json j = Json::parse(out.text, "the peer's probe");
      PeerProbe probe;
      probe.python = candidate;
      probe.torch_version = j["torch"].string();
      probe.python_version = j["python"].string();
      probe.cpu_count = static_cast<int>(j["cpu_count"].number());
      probe.cuda = j["cuda"].dump(0) == "true";  // Json has no boolean accessor
      probe.cuda_device = j["cuda_device"].string();
      probe.onednn = j["mkldnn"].dump(0) == "true";
      for (const Json& library : j["blas"].array()) {
        probe.blas.append(probe.blas.empty() ? "" : ", ").append(library.string());
        // Debian's libblas3 installs netlib's reference BLAS under .../blas/; OpenBLAS goes under .../openblas*/.
        if (library.string().find("/blas/libblas.so") != std::string::npos) probe.reference_blas = true;
      }
      return probe;
    } catch (const std::exception& e) {
      why += (why.empty() ? "" : "; ") + candidate + ": " + e.what();
    }
  }
  return std::nullopt;
}

std::vector<PeerConfig> peer_configs(const PeerProbe& probe, bool our_device_is_gpu) {
  if (probe.cuda && our_device_is_gpu) {
    return {{"PyTorch CUDA TF32 off", "cuda", false}, {"PyTorch CUDA TF32 on", "cuda", true}};
  }
  return {{"PyTorch CPU", "cpu", false}};
}

PeerRun run_peer(const PeerProbe& probe, const PeerConfig& config, const std::vector<Result>& results) {
  PeerRun run;
  run.config = config;
  Json rows = Json::Array{};
  for (const Result& result : results) {
    if (!result.row.peer.is_null()) rows.push(row_request(result));
  }
  const std::filesystem::path request_path =
      std::filesystem::temp_directory_path() / ("medrepro_peer_rows_" + std::to_string(::getpid()) + ".json");
  report::write_file_atomically(request_path.string(), Json().set("rows", rows).dump());
  const std::string arguments = "--rows " + quote(request_path.string()) + " --device " + config.device +
                                (config.device == "cuda" ? std::string(" --tf32 ") + (config.tf32 ? "on" : "off") : "");
  const Output out = run_command(peer_command(probe.python, arguments));
  std::filesystem::remove(request_path);
  if (out.status != 0) {
    run.failure = "peer_pytorch.py exited with status " + std::to_string(out.status);
    return run;
  }
  try {
    const Json j = Json::parse(out.text, "the peer's results");
    run.settings = j["settings"].dump(0);
    for (const auto& [name, timing] : j["rows"].object()) {
      run.timings[name] = {{timing["median_ms"].number(), timing["min_ms"].number(), timing["max_ms"].number()},
                           static_cast<int>(timing["samples"].number())};
    }
    for (const auto& [name, error] : j["errors"].object()) run.errors[name] = error.string();
  } catch (const std::exception& e) {
    run.failure = std::string("unreadable peer output: ") + e.what();
  }
  return run;
}

}  // namespace medrepro::bench
