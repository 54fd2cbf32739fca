// A file that appears whole or not at all: written to a temporary file in
// the same directory, flushed, then renamed over the destination.
#pragma once

#include <string>
#include <string_view>

#include "probes/error.h"

namespace termprobe {

class AtomicFile {
 public:
  // Creates the temporary file now, so an unwritable destination is
  // reported before any work is done. "-" means standard output.
  static Result<AtomicFile> open(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  ~AtomicFile();

  // Writes everything and renames it into place (or writes to stdout).
  Result<void> commit(const std::string& content);
  // The same in pieces: write() as often as needed, then commit() once.
  Result<void> write(std::string_view content);
  Result<void> commit();
  const std::string& path() const { return path_; }

 private:
  AtomicFile(std::string path, std::string temp_path, int fd);
  void discard();
  std::string path_;
  std::string temp_path_;  // empty for stdout
  int fd_ = -1;
};

}  // namespace termprobe
