#include "report/json_text.h"

#include <cstddef>

namespace termprobe {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// A well-formed UTF-8 sequence's length and the range its second byte must
// fall in, by its first byte (Unicode's table 3-7); length 0: no sequence
// starts with this byte.
struct Utf8Lead {
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
};

Utf8Lead utf8_lead(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {2};
  if (lead == 0xE0) return {3, 0xA0};
  if (lead == 0xED) return {3, 0x80, 0x9F};  // no UTF-16 surrogates
  if (lead >= 0xE1 && lead <= 0xEF) return {3};
  if (lead == 0xF0) return {4, 0x90};
  if (lead >= 0xF1 && lead <= 0xF3) return {4};
  if (lead == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  return {};
}

// How many bytes at the start of `rest` (a non-ASCII byte first) are one
// well-formed sequence, or, negated, how many to drop for one U+FFFD. Like
// nlohmann, the byte that broke a sequence is read again as a new start.
std::ptrdiff_t utf8_sequence(std::string_view rest) {
  const Utf8Lead lead = utf8_lead(static_cast<unsigned char>(rest[0]));
  if (lead.length == 0) return -1;
  for (std::size_t i = 1; i < lead.length; ++i) {
    if (i == rest.size()) return -static_cast<std::ptrdiff_t>(i);
    const auto byte = static_cast<unsigned char>(rest[i]);
    if (byte < (i == 1 ? lead.low : 0x80) || byte > (i == 1 ? lead.high : 0xBF))
      return -static_cast<std::ptrdiff_t>(i);
  }
  return static_cast<std::ptrdiff_t>(lead.length);
}

void append_escaped_ascii(std::string& out, char c) {
  switch (c) {
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    default: break;
  }
  constexpr char kHex[] = "0123456789abcdef";
  const auto code = static_cast<unsigned char>(c);
  out += "\\u00";
  out += kHex[code >> 4];
  out += kHex[code & 0xF];
}

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t plain_from = 0;  // the start of bytes still to copy as they are
  std::size_t at = 0;
  while (at < text.size()) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c < 0x80 && !needs_escape(c)) {
      ++at;
      continue;
    }
    if (c >= 0x80) {
      const std::ptrdiff_t sequence = utf8_sequence(text.substr(at));
      if (sequence > 0) {
        at += static_cast<std::size_t>(sequence);
        continue;
      }
      out.append(text, plain_from, at - plain_from);
      out += kReplacement;
      at += static_cast<std::size_t>(-sequence);
    } else {
      out.append(text, plain_from, at - plain_from);
      append_escaped_ascii(out, text[at]);
      ++at;
    }
    plain_from = at;
  }
  out.append(text, plain_from, at - plain_from);
  out += '"';
}

void JsonTextWriter::new_line() {
  // One append for the usual depths: this runs for every key of every entry.
  static constexpr std::string_view kIndented = "\n                                ";
  const auto width = static_cast<std::size_t>(2 * depth_);
  if (width < kIndented.size()) {
    out_.append(kIndented.substr(0, width + 1));
  } else {
    out_ += '\n';
    out_.append(width, ' ');
  }
}

void JsonTextWriter::open_object() {
  out_ += '{';
  empty_ = true;
  if (depth_ >= 0) ++depth_;
}

void JsonTextWriter::close_object() {
  if (depth_ >= 0) {
    --depth_;
    if (!empty_) new_line();
  }
  out_ += '}';
  // An object is the value of a key or an array element: its container is not empty.
  empty_ = false;
}

void JsonTextWriter::open_array() {
  out_ += '[';
  empty_ = true;
  if (depth_ >= 0) ++depth_;
}

void JsonTextWriter::close_array() {
  if (depth_ >= 0) {
    --depth_;
    if (!empty_) new_line();
  }
  out_ += ']';
  empty_ = false;
}

JsonTextWriter& JsonTextWriter::element() {
  if (!empty_) out_ += ',';
  empty_ = false;
  if (depth_ >= 0) new_line();
  return *this;
}

JsonTextWriter& JsonTextWriter::key(std::string_view name) {
  if (!empty_) out_ += ',';
  empty_ = false;
  if (depth_ >= 0) new_line();
  out_ += '"';
  out_ += name;
  out_ += depth_ >= 0 ? "\": " : "\":";
  return *this;
}

}  // namespace termprobe
