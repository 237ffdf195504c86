#pragma once
// One exception type for everything a user can get wrong or a machine can lack.
// Messages say what happened, where, and what to do about it.
// DeviceLimitExceeded: work larger than one buffer or launch of this device
// allows, which the same work in smaller pieces (a smaller batch) avoids.
#include <stdexcept>
#include <string>

namespace medrepro {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DeviceLimitExceeded : Error {
  using Error::Error;
};

[[noreturn]] inline void fail(const std::string& message) { throw Error(message); }

}  // namespace medrepro
