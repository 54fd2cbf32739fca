#include "report/entry_spill.h"

#include <cerrno>
#include <cstring>

#include "report/entry_json.h"

namespace termprobe {
namespace {

constexpr std::size_t kPieceBytes = 1 << 16;

Error spill_error(const char* what) {
  return Error{ErrorKind::io,
               std::string("cannot ") + what + " the report's temporary file: " + std::strerror(errno)};
}

}  // namespace

Result<EntrySpill> EntrySpill::open() {
  std::FILE* file = std::tmpfile();
  if (file == nullptr) return tl::unexpected(spill_error("create"));
  return EntrySpill(file);
}

void EntrySpill::append(const ReportEntry& entry) {
  pending_ += count_ == 0 ? "\n    " : ",\n    ";
  JsonTextWriter json = JsonTextWriter::indented(pending_, kEntryDepth);
  write_entry_json(json, entry);
  ++count_;
  if (pending_.size() >= kPieceBytes && !failure_) {
    if (auto flushed = flush(); !flushed) failure_ = flushed.error();
  }
  if (failure_) pending_.clear();
}

Result<void> EntrySpill::flush() {
  if (std::fwrite(pending_.data(), 1, pending_.size(), file_.get()) != pending_.size() ||
      std::fflush(file_.get()) != 0)
    return tl::unexpected(spill_error("write"));
  pending_.clear();
  return {};
}

Result<void> EntrySpill::copy_to(const TextSink& sink) {
  if (failure_) return tl::unexpected(*failure_);
  if (auto flushed = flush(); !flushed) return flushed;
  if (std::fseek(file_.get(), 0, SEEK_SET) != 0) return tl::unexpected(spill_error("read"));
  std::string piece(kPieceBytes, '\0');
  while (std::size_t n = std::fread(piece.data(), 1, piece.size(), file_.get())) {
    if (auto written = sink(std::string_view(piece.data(), n)); !written) return written;
  }
  if (std::ferror(file_.get()) != 0) return tl::unexpected(spill_error("read"));
  return std::fseek(file_.get(), 0, SEEK_END) == 0 ? Result<void>{} : tl::unexpected(spill_error("read"));
}

}  // namespace termprobe
