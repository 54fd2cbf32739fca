// The one error type of the libraries: a kind and a one-line message.
// Exceptions stop at the CLI boundary; libraries return these as values.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace termprobe {

enum class ErrorKind {
  invalid_input,  // the user's input cannot be used (bad URL, bad number, bad path)
  unreachable,    // the target could not be reached at all
  io,             // a local file or system call failed
  internal,       // libcurl or the OS refused something that should work
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;  // one line, says what was wrong and, if possible, what to do
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message)});
}

}  // namespace termprobe
