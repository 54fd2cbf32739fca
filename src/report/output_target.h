// What kind of place an output path (--json, --junit, --write-cert) names,
// decided before anything is written to it, so that an output never
// destroys what it was pointed at.
//
// A regular file, or a path with nothing there yet, is replaced whole (a new
// file renamed over it). A symbolic link is followed, link by link, and what
// it leads to is decided the same way: the link stays and its target is
// replaced. A character device (/dev/null, /dev/tty), a FIFO, or an open file
// named through /dev/fd/N, /dev/stdout or /proc/self/fd/N (a shell's
// `>(jq .)`) is a stream: opened and written, never renamed over. A
// directory, a block device or a socket is refused.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace termprobe {

enum class OutputKind {
  standard_output,  // "-"
  replace,          // a regular file, or nothing yet: written atomically
  stream,           // a character device, a FIFO or a /dev/fd/N: written through
};

struct OutputTarget {
  OutputKind kind = OutputKind::replace;
  // replace: the file to rename over, every symbolic link followed; stream:
  // the path to open (the last link, when it is a /dev/fd/N).
  std::string path;
  // stream: N when the path leads to this process's own descriptor N
  // (/dev/stdout is 1), else -1.
  int descriptor = -1;
};

// Refuses (one line naming `what` and the path as given; cannot_open's
// kinds) an empty path, a directory, a block device, a socket, a loop of
// symbolic links, and a path whose folders cannot be looked into.
Result<OutputTarget> output_target(const std::string& path, std::string_view what);

// The folder the path's last component is in ("." for a bare name).
std::string folder_of(const std::string& path);

// "cannot write report 'PATH': " and errno's text, for every output's messages.
Error cannot_write(ErrorKind kind, std::string_view what, const std::string& path, int error);

// The same for an output that could not be opened: the path is the user's
// mistake (ErrorKind::invalid_input) unless the machine ran out of
// descriptors, memory or space (ErrorKind::io).
Error cannot_open(std::string_view what, const std::string& path, int error);

}  // namespace termprobe
