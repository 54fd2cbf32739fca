#include "report/report_reader.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "probes/outcome.h"
#include "report/printable.h"
#include "report/report.h"

namespace termprobe {
namespace {

using json = nlohmann::json;

enum class Kind {
  object,
  array,
  string,
  boolean,
  count,
  optional_count,
  positive_count,
  status,
  label,
  schema_version,
  tool
};

// Where a value read goes once checked.
enum class Store {
  none,
  interrupted,
  target,
  scenario,
  label,
  announced,
  announced_close_missed,
  status,
  wire_bytes,
  rst_after_fin,
  after_response
};

struct Field {
  std::string_view shape;  // the JSON path with array indices as [] and label keys as *
  Kind kind;
  Store store = Store::none;
};

// What compare reads, and the counts beside it, with the schema's types and ranges.
constexpr Field kFields[] = {
    {".schema_version", Kind::schema_version},
    {".tool", Kind::object},
    {".tool.name", Kind::tool},
    {".interrupted", Kind::boolean, Store::interrupted},
    {".results", Kind::array},
    {".results[]", Kind::object},
    {".results[].target", Kind::string, Store::target},
    {".results[].scenario", Kind::string, Store::scenario},
    {".results[].outcome", Kind::object},
    {".results[].outcome.label", Kind::label, Store::label},
    {".results[].outcome.announced", Kind::boolean, Store::announced},
    {".results[].outcome.announced_close_missed", Kind::boolean, Store::announced_close_missed},
    {".results[].response", Kind::object},
    {".results[].response.status", Kind::status, Store::status},
    {".results[].response.wire_bytes", Kind::count, Store::wire_bytes},
    {".results[].ending", Kind::object},
    {".results[].ending.rst_after_fin_us", Kind::optional_count, Store::rst_after_fin},
    {".results[].ending.after_response_us", Kind::optional_count, Store::after_response},
    {".targets", Kind::array},
    {".targets[]", Kind::object},
    {".targets[].target", Kind::string},
    {".targets[].total", Kind::count},
    {".targets[].labels", Kind::object},
    {".targets[].labels.*", Kind::positive_count},
    {".summary", Kind::object},
    {".summary.total", Kind::count},
    {".summary.requested", Kind::count},
    {".summary.labels", Kind::object},
    {".summary.labels.*", Kind::positive_count},
    {".summary.by_label", Kind::object},
    {".summary.by_label.*", Kind::object},
    {".summary.by_label.*.count", Kind::positive_count},
};

// Objects whose keys must be labels (the schema's propertyNames).
constexpr std::string_view kLabelKeyed[] = {".targets[].labels", ".summary.labels", ".summary.by_label"};

struct Required {
  std::string_view shape;
  std::array<std::string_view, 8> members;  // empty views pad the list
};

constexpr Required kRequired[] = {
    {"", {"schema_version", "tool", "command", "started_at", "targets", "interrupted", "results", "summary"}},
    {".tool", {"name"}},
    {".results[]", {"target", "scenario", "response", "outcome"}},
    {".results[].outcome", {"label", "announced"}},
    {".results[].response", {"status", "wire_bytes"}},
    {".targets[]", {"target", "total", "labels"}},
    {".summary", {"total", "requested", "labels", "by_label"}},
    {".summary.by_label.*", {"count"}},
};

template <typename Table>
auto* find_shape(const Table& table, std::string_view shape) {
  for (const auto& row : table) {
    if (row.shape == shape) return &row;
  }
  return static_cast<decltype(&table[0])>(nullptr);
}

bool is_label_keyed(std::string_view shape) {
  for (auto keyed : kLabelKeyed) {
    if (keyed == shape) return true;
  }
  return false;
}

// One JSON scalar as the parser handed it over.
struct Scalar {
  enum Type { null, boolean, integer, real, string } type = null;
  bool flag = false;
  std::optional<std::int64_t> integer_value;  // nullopt: beyond int64
  double real_value = 0;
  std::string_view text;
};

std::string shown(const Scalar& value) {
  switch (value.type) {
    case Scalar::null: return "null";
    case Scalar::boolean: return value.flag ? "true" : "false";
    case Scalar::integer:
      return value.integer_value ? std::to_string(*value.integer_value) : "a huge integer";
    case Scalar::real: return fmt::format("{}", value.real_value);
    case Scalar::string: {
      const std::string quoted = json(std::string(value.text.substr(0, 60))).dump();
      return value.text.size() > 60 ? quoted + "..." : quoted;
    }
  }
  return "a value";
}

bool is_count(const Scalar& value, std::int64_t minimum) {
  return value.type == Scalar::integer && value.integer_value && *value.integer_value >= minimum;
}

std::string_view expectation(Kind kind) {
  switch (kind) {
    case Kind::object: return "must be an object";
    case Kind::array: return "must be an array";
    case Kind::string: return "must be a string";
    case Kind::boolean: return "must be true or false";
    case Kind::count: return "must be a whole number from 0";
    case Kind::positive_count: return "must be a whole number from 1";
    case Kind::status: return "must be an HTTP status from 100 to 999, or null";
    case Kind::optional_count: return "must be a whole number from 0, or null";
    case Kind::label: return "is not a label (e.g. keepalive, reset_before_response)";
    case Kind::tool: return "must be \"termprobe\"";
    case Kind::schema_version: return "must be the schema_version this termprobe writes";
  }
  return "is not allowed here";
}

bool fits(Kind kind, const Scalar& value) {
  switch (kind) {
    case Kind::object:
    case Kind::array: return false;
    case Kind::string: return value.type == Scalar::string;
    case Kind::boolean: return value.type == Scalar::boolean;
    case Kind::count: return is_count(value, 0);
    case Kind::optional_count: return value.type == Scalar::null || is_count(value, 0);
    case Kind::positive_count: return is_count(value, 1);
    case Kind::status:
      return value.type == Scalar::null || (is_count(value, 100) && *value.integer_value <= 999);
    case Kind::label: return value.type == Scalar::string && label_from_string(value.text).has_value();
    case Kind::tool: return value.type == Scalar::string && value.text == "termprobe";
    case Kind::schema_version: return is_count(value, 0) && *value.integer_value == kReportSchemaVersion;
  }
  return false;
}

// The connection being read: filled field by field, added at its closing brace.
struct PendingConnection {
  std::string target;
  std::string scenario;
  std::string label;
  bool announced = false;
  bool announced_close_missed = false;
  std::optional<int> status;
  std::int64_t wire_bytes = 0;
  bool rst_after_fin = false;
  std::optional<std::int64_t> after_response_us;
};

// nlohmann::json::sax_parse calls these as it reads; returning false stops it.
class ReportFactsReader {
 public:
  explicit ReportFactsReader(std::string origin) { facts_.origin = std::move(origin); }

  bool null() { return scalar({}); }
  bool boolean(bool flag) { return scalar({Scalar::boolean, flag, {}, 0, {}}); }
  bool number_integer(json::number_integer_t n) { return scalar({Scalar::integer, false, n, 0, {}}); }
  bool number_unsigned(json::number_unsigned_t n) {
    std::optional<std::int64_t> value;
    if (n <= static_cast<json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
      value = static_cast<std::int64_t>(n);
    return scalar({Scalar::integer, false, value, 0, {}});
  }
  bool number_float(json::number_float_t n, const json::string_t&) {
    return scalar({Scalar::real, false, {}, n, {}});
  }
  bool string(json::string_t& text) { return scalar({Scalar::string, false, {}, 0, text}); }
  bool binary(json::binary_t&) { return refuse("binary data"); }
  bool start_object(std::size_t) { return open(false); }
  bool start_array(std::size_t) { return open(true); }
  bool key(json::string_t& name);
  bool end_object();
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) {
    const std::string what = error.what();
    error_ = " is not valid JSON (truncated or corrupt): " + what.substr(0, 200);
    return false;
  }

  const std::string& error() const { return error_; }
  ReportFacts take_facts() { return std::move(facts_); }

 private:
  struct Frame {
    bool array = false;
    std::size_t shape_size = 0;  // this container's own shape is shape_.substr(0, shape_size)
    std::string key;             // object: the member being read
    std::size_t index = 0;       // array: the element being read
    const Required* required = nullptr;
    std::uint32_t seen = 0;  // bit i: required->members[i] was read
  };

  std::string path(std::size_t frames) const;
  bool refuse(const std::string& why);
  bool scalar(const Scalar& value);
  void store(Store where, const Scalar& value);
  bool open(bool array);
  bool close();
  bool check_required(const Frame& frame);
  bool add_pending();
  void after_value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  ReportFacts facts_;
  std::vector<Frame> frames_;
  std::string shape_;
  PendingConnection pending_;
  std::string error_;
};

std::string ReportFactsReader::path(std::size_t frames) const {
  std::string text;
  for (std::size_t i = 0; i < frames && i < frames_.size(); ++i) {
    const Frame& frame = frames_[i];
    if (frame.array)
      text += fmt::format("[{}]", frame.index);
    else if (!frame.key.empty())
      text += (text.empty() ? "" : ".") + printable(frame.key);  // a key may hold a line break
  }
  return text.empty() ? "the top level" : text;
}

bool ReportFactsReader::refuse(const std::string& why) {
  error_ = fmt::format(" is not a valid termprobe report: {}: {}", path(frames_.size()), why);
  return false;
}

bool ReportFactsReader::scalar(const Scalar& value) {
  if (frames_.empty()) {
    error_ = " is not a termprobe report (not a JSON object)";
    return false;
  }
  if (const Field* field = find_shape(kFields, shape_)) {
    if (!fits(field->kind, value)) {
      if (field->kind != Kind::schema_version)
        return refuse(fmt::format("{} {}", shown(value), expectation(field->kind)));
      error_ = fmt::format(
          " has schema_version {}; this termprobe reads version {} only (write it again with this "
          "version)",
          shown(value), kReportSchemaVersion);
      return false;
    }
    store(field->store, value);
  }
  after_value();
  return true;
}

void ReportFactsReader::store(Store where, const Scalar& value) {
  switch (where) {
    case Store::none: break;
    case Store::interrupted: facts_.interrupted = value.flag; break;
    case Store::target: pending_.target = value.text; break;
    case Store::scenario: pending_.scenario = value.text; break;
    case Store::label: pending_.label = value.text; break;
    case Store::announced: pending_.announced = value.flag; break;
    case Store::announced_close_missed: pending_.announced_close_missed = value.flag; break;
    case Store::status:
      if (value.type == Scalar::integer) pending_.status = static_cast<int>(*value.integer_value);
      break;
    case Store::wire_bytes: pending_.wire_bytes = *value.integer_value; break;
    case Store::rst_after_fin: pending_.rst_after_fin = value.type == Scalar::integer; break;
    case Store::after_response:
      if (value.type == Scalar::integer) pending_.after_response_us = *value.integer_value;
      break;
  }
}

bool ReportFactsReader::open(bool array) {
  if (frames_.size() >= kReportMaxDepth)
    return refuse(fmt::format("nested deeper than {} levels", kReportMaxDepth));
  if (frames_.empty() && array) {
    error_ = " is not a termprobe report (not a JSON object)";
    return false;
  }
  if (const Field* field = find_shape(kFields, shape_)) {
    if (field->kind != (array ? Kind::array : Kind::object))
      return refuse(fmt::format("{} {}", array ? "an array" : "an object", expectation(field->kind)));
  }
  if (shape_ == ".results[]") pending_ = {};
  frames_.push_back({array, shape_.size(), {}, 0, array ? nullptr : find_shape(kRequired, shape_), 0});
  if (array) shape_ += "[]";
  return true;
}

bool ReportFactsReader::key(json::string_t& name) {
  Frame& frame = frames_.back();
  frame.key = name;
  shape_.resize(frame.shape_size);
  if (is_label_keyed(shape_)) {
    if (!label_from_string(name)) return refuse("is not a label");
    shape_ += ".*";
  } else {
    shape_ += "." + name;
  }
  if (frame.required == nullptr) return true;
  for (std::size_t i = 0; i < frame.required->members.size(); ++i) {
    if (frame.required->members[i] != name) continue;
    if (frame.seen & (1u << i)) return refuse("appears twice");
    frame.seen |= 1u << i;
  }
  return true;
}

bool ReportFactsReader::check_required(const Frame& frame) {
  if (frame.required == nullptr) return true;
  for (std::size_t i = 0; i < frame.required->members.size(); ++i) {
    const std::string_view member = frame.required->members[i];
    if (member.empty() || (frame.seen & (1u << i))) continue;
    if (frames_.size() == 1 && member == "schema_version") {
      error_ = " is not a termprobe report (no schema_version)";
      return false;
    }
    error_ = fmt::format(" is not a valid termprobe report: {}: \"{}\" is missing", path(frames_.size() - 1),
                         member);
    return false;
  }
  return true;
}

bool ReportFactsReader::end_object() {
  if (!check_required(frames_.back())) return false;
  const std::string_view own_shape = std::string_view(shape_).substr(0, frames_.back().shape_size);
  if (own_shape == ".results[]" && !add_pending()) return false;
  return close();
}

bool ReportFactsReader::add_pending() {
  const ScenarioKey key{std::move(pending_.target), std::move(pending_.scenario)};
  auto it = facts_.scenarios.find(key);
  if (it == facts_.scenarios.end()) {
    if (facts_.scenarios.size() >= kReportMaxScenarios)
      return refuse(fmt::format("more than {} target/scenario pairs", kReportMaxScenarios));
    it = facts_.scenarios.emplace(key, ScenarioFacts{}).first;
  }
  add_connection(it->second,
                 {pending_.label, pending_.status, pending_.announced, pending_.wire_bytes,
                  pending_.rst_after_fin, pending_.after_response_us, pending_.announced_close_missed});
  return true;
}

bool ReportFactsReader::close() {
  shape_.resize(frames_.back().shape_size);
  frames_.pop_back();
  after_value();
  return true;
}

}  // namespace

Result<ReportFacts> read_report_stream(std::istream& input, const std::string& origin) {
  ReportFactsReader reader(origin);
  bool read = false;
  try {
    read = json::sax_parse(input, &reader);
  } catch (const json::exception& error) {  // the parser reports through parse_error(); this is a backstop
    return fail(ErrorKind::invalid_input, origin + " is not valid JSON: " + error.what());
  }
  if (!read) {
    const std::string why =
        reader.error().empty() ? " is not valid JSON (truncated or corrupt)" : reader.error();
    return fail(ErrorKind::invalid_input, origin + why);
  }
  return reader.take_facts();
}

}  // namespace termprobe
