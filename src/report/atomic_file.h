// A file that appears whole or not at all.
//
// The content goes to an unnamed file (O_TMPFILE) in the destination's
// directory, so a run killed with SIGKILL leaves nothing behind; commit()
// flushes it, gives it a short temporary name (".termprobe-XXXXXX", which
// fits NAME_MAX beside any destination name that does) and renames that
// over the destination. On a filesystem without O_TMPFILE the file is named
// that way from the start: there, and only there, a killed run can leave a
// ".termprobe-XXXXXX" behind.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace termprobe {

class AtomicFile {
 public:
  // Creates the temporary file now, so an unwritable destination is
  // reported before any work is done. "-" means standard output. `what`
  // names the file's role in messages: "report", "--write-cert".
  static Result<AtomicFile> open(const std::string& path, std::string_view what = "report");
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
  enum class Kind { standard_output, unnamed, named };
  AtomicFile(Kind kind, std::string what, std::string path, std::string directory, std::string temp_path,
             int fd);
  void discard();
  Result<std::string> link_unnamed();  // gives the O_TMPFILE file a temporary name
  Kind kind_ = Kind::standard_output;
  std::string what_;  // the file's role, for messages
  std::string path_;
  std::string directory_;  // where the temporary name goes
  std::string temp_path_;  // named: the temporary file's name
  int fd_ = -1;
};

}  // namespace termprobe
