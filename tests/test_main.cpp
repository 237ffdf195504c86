// Test entry point: opens the device with the Khronos validation layer on, its
// synchronization validation included (DeviceOptions), and fails the run if the
// layer reported anything, naming the test case.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/stream.h"

namespace {
std::vector<std::string> failures;

// Checks the validation layer's messages after every test case, so a failure names its test.
struct ValidationListener : doctest::IReporter {
  explicit ValidationListener(const doctest::ContextOptions&) {}
  void test_case_start(const doctest::TestCaseData& data) override { current = data.m_name; }
  void test_case_end(const doctest::CurrentTestCaseStats&) override {
    if (!medrepro::Context::is_open()) return;
    medrepro::Context::get().stream().synchronize();
    for (const std::string& message : medrepro::Context::get().take_validation_messages()) {
      failures.push_back(current + ": " + message);
    }
  }
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}

  std::string current;
};
REGISTER_LISTENER("validation", 1, ValidationListener);
}  // namespace

int main(int argc, char** argv) {
  medrepro::DeviceOptions options = medrepro::DeviceOptions::from_environment();
  options.validation = std::getenv("MEDREPRO_NO_VALIDATION") == nullptr;
  try {
    medrepro::Context& context = medrepro::Context::open(options);
    const char* validation = !context.validation_enabled() ? "off"
                             : context.synchronization_validation_enabled()
                                 ? "on, synchronization included"
                                 : "on, synchronization off (MEDREPRO_SYNC_VALIDATION=0)";
    std::printf("device: %s (%s), validation %s\n", context.info().name.c_str(),
                context.info().driver_version.c_str(), validation);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot open the Vulkan device: %s\n", e.what());
    return 2;
  }
  doctest::Context tests(argc, argv);
  int result = tests.run();
  medrepro::Context::get().stream().synchronize();
  for (const std::string& message : medrepro::Context::get().take_validation_messages()) {
    failures.push_back("(after the last test): " + message);
  }
  medrepro::Context::close();
  if (!failures.empty()) {
    std::fprintf(stderr, "FAILED: the Vulkan validation layer reported %zu message(s):\n", failures.size());
    for (const std::string& failure : failures) std::fprintf(stderr, "  %s\n", failure.c_str());
    return 1;
  }
  return result;
}
