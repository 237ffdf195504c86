#pragma once
// One exception type for everything a user can get wrong or a machine can lack.
// Messages say what happened, where, and what to do about it.
#include <stdexcept>
#include <string>

namespace medrepro {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string& message) { throw Error(message); }

}  // namespace medrepro
