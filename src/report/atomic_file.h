// An output file (--json, --junit, --write-cert) that appears whole or not
// at all where that is possible, and that never destroys what its path
// names (output_target.h decides what that is).
//
// A regular file, or a path with nothing there yet, is replaced atomically:
// the content goes to an unnamed file (O_TMPFILE) in the destination's
// directory, so a run killed with SIGKILL leaves nothing behind; commit()
// flushes it, gives it a short temporary name (".termprobe-XXXXXX", which
// fits NAME_MAX beside any destination name that does) and renames that
// over the destination. On a filesystem without O_TMPFILE the file is named
// that way from the start: there, and only there, a killed run can leave a
// ".termprobe-XXXXXX" behind. A symbolic link is followed and its target
// replaced so; the link stays.
//
// A stream (a character device, a FIFO, /dev/fd/N) is opened when the file
// is and written through at commit(): a reader sees the content as it is
// written, and a write error (ENOSPC from /dev/full, EPIPE from a reader
// that left) is commit()'s error. A FIFO needs a reader within
// kReaderWait of open(): opening one for writing would otherwise block
// until one comes, perhaps forever.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/error.h"

namespace termprobe {

class AtomicFile {
 public:
  static constexpr std::chrono::milliseconds kReaderWait{2000};

  // Creates the temporary file (or opens the stream) now, so an unwritable
  // destination is reported before any work is done (ErrorKind::invalid_input;
  // io when the machine is out of descriptors or space: cannot_open). "-" means standard output. `what` names
  // the file's role in messages: "report", "--write-cert".
  static Result<AtomicFile> open(const std::string& path, std::string_view what = "report");
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  ~AtomicFile();

  // Writes everything and renames it into place (or writes it through).
  // Errors from here on are ErrorKind::io: the destination was usable.
  Result<void> commit(const std::string& content);
  // The same in pieces: write() as often as needed, then commit() once.
  Result<void> write(std::string_view content);
  Result<void> commit();
  // What was written so far, from its start, through a descriptor of its
  // own (the writer's offset is untouched); a stream cannot be read back
  // (ErrorKind::invalid_input).
  Result<std::FILE*> read_back() const;
  const std::string& path() const { return path_; }
  // "-", or a stream that is this process's standard output (/dev/stdout,
  // /dev/fd/1): the human text must then go elsewhere.
  bool writes_to_stdout() const { return place_.to_stdout; }

 private:
  enum class Kind { standard_output, stream, unnamed, named };
  struct Place {
    Kind kind = Kind::standard_output;
    std::string destination;  // unnamed, named: what the file is renamed over
    std::string temp_path;    // named: the temporary file's name
    int fd = -1;
    bool to_stdout = false;
  };
  AtomicFile(std::string what, std::string path, Place place);
  void discard();
  Result<std::string> link_unnamed();  // gives the O_TMPFILE file a temporary name
  std::string what_;                   // the file's role, for messages
  std::string path_;                   // as given, for messages
  Place place_;
};

}  // namespace termprobe
