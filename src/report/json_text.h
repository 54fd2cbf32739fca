// JSON text appended straight to a string, laid out exactly as nlohmann's
// dump() lays out the same values: the report writes one object per
// connection, and building a DOM for each cost more than probing it.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace termprobe {

// A JSON string literal, quotes included, escaped as nlohmann's dump() does
// by default (control characters as \b \t \n \f \r or \u00xx, '"' and '\\',
// UTF-8 kept as it is). Where the bytes are not UTF-8, where nlohmann would
// throw, each bad sequence becomes U+FFFD, as its error_handler_t::replace
// does: a server's stray byte must not cost the whole report.
void append_json_string(std::string& out, std::string_view text);

// Objects and arrays of scalar values; dump() (compact) or dump(2) of a value
// sitting `depth` levels deep in an indented document.
class JsonTextWriter {
 public:
  static JsonTextWriter compact(std::string& out) { return JsonTextWriter(out, -1); }
  static JsonTextWriter indented(std::string& out, int depth) { return JsonTextWriter(out, depth); }

  void open_object();
  void close_object();
  void open_array();
  void close_array();
  // Before each value of an array.
  JsonTextWriter& element();
  // `name` is a literal with nothing to escape: the report's own key names.
  JsonTextWriter& key(std::string_view name);

  void null() { out_ += "null"; }
  void value(bool flag) { out_ += flag ? "true" : "false"; }
  void value(std::string_view text) { append_json_string(out_, text); }
  void value(const char* text) { value(std::string_view(text)); }
  template <std::integral Number>  // value(bool) wins for bool: not a template
  void value(Number number) {
    char digits[24];
    out_.append(digits, std::to_chars(digits, digits + sizeof(digits), number).ptr);
  }
  void value(const std::optional<std::int64_t>& number) { number ? value(*number) : null(); }
  // An absent text is null; an empty one is "".
  void value_or_null(const std::optional<std::string>& text) {
    text ? value(std::string_view(*text)) : null();
  }
  // Empty text is unknown text: null.
  void text_or_null(std::string_view text) { text.empty() ? null() : value(text); }

 private:
  JsonTextWriter(std::string& out, int depth) : out_(out), depth_(depth) {}
  void new_line();
  std::string& out_;
  int depth_;          // indentation levels; negative: compact
  bool empty_ = true;  // the innermost open object has no key yet
};

}  // namespace termprobe
