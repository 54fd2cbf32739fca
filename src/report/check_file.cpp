#include "report/check_file.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <map>

#include "common/resolve_override.h"
#include "common/target_url.h"
#include "report/input_checks.h"
#include "report/input_file.h"
#include "report/request_options.h"

namespace termprobe {
namespace {

// What a table of the file holds: [[probe]], [[idle]] or [[reuse]].
enum class EntryKind { probe, idle, reuse };

constexpr double kIdleMaxDefault_s = 130;  // as `termprobe idle --max`

constexpr std::string_view kProbeKeys =
    "name, url, method, headers, body_bytes, upload_rate, repeat, timeout, connect_timeout, watch, "
    "fin_watch, insecure, cacert, resolve, tls_min, tls_max, http2, http2_prior_knowledge, streams, rounds, "
    "data, data_binary, redact, expect";
constexpr std::string_view kIdleKeys =
    "name, url, max, expect, headers, repeat, timeout, connect_timeout, fin_watch, insecure, cacert, "
    "resolve, tls_min, tls_max, http2, http2_prior_knowledge, redact";
constexpr std::string_view kReuseKeys =
    "name, url, idle, expect, method, headers, repeat, timeout, connect_timeout, watch, fin_watch, insecure, "
    "cacert, resolve, tls_min, tls_max, http2, http2_prior_knowledge, redact";
constexpr std::string_view kDefaultKeys =
    "method, headers, body_bytes, upload_rate, repeat, timeout, connect_timeout, watch, fin_watch, insecure, "
    "cacert, resolve, tls_min, tls_max, http2, http2_prior_knowledge, streams, rounds, redact";

// The command line's curl options as keys, taken by every table.
constexpr std::string_view kCurlKeys = "connect_to, ipv4, ipv6, local_port, cert, key, user";

struct Location {
  std::string file;
  std::string at(const toml::node& node) const {
    return fmt::format("{}:{}", file, node.source().begin.line);
  }
};

tl::unexpected<Error> bad(const Location& where, const toml::node& node, const std::string& message) {
  return fail(ErrorKind::invalid_input, where.at(node) + ": " + message);
}

// A TOML integer or float under `rule`: "'timeout' nan: not a finite number of seconds";
// or a string with a unit, read as the command line reads it (parse_number):
// timeout = "500ms", body_bytes = "2MB".
Result<double> number(const Location& where, const std::string& key, const toml::node& node,
                      const NumberRule& rule) {
  if (const auto text = node.value_exact<std::string>()) {
    auto parsed = parse_number(*text, rule);
    if (!parsed) return bad(where, node, fmt::format("'{}' {}", key, parsed.error().message));
    return *parsed;
  }
  std::optional<double> value;
  std::string text;  // as the file wrote it, near enough: 1e300, nan, -inf, 12
  if (const auto integer = node.value_exact<std::int64_t>()) {
    value = static_cast<double>(*integer);
    text = std::to_string(*integer);
  } else if (const auto real = node.value_exact<double>()) {
    value = *real;
    text = fmt::format("{:g}", *real);
  }
  if (!value) return bad(where, node, fmt::format("'{}' must be a number, or a string with a unit", key));
  if (auto problem = number_problem(*value, rule))
    return bad(where, node, fmt::format("'{}' {}: {}", key, text, *problem));
  return *value;
}

Result<std::vector<std::string>> string_list(const Location& where, const std::string& key,
                                             const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr) return bad(where, node, fmt::format("'{}' must be a list of strings", key));
  std::vector<std::string> items;
  for (const auto& item : *array) {
    const auto text = item.value<std::string>();
    if (!text) return bad(where, item, fmt::format("'{}' must be a list of strings", key));
    items.push_back(*text);
  }
  return items;
}

// A string or a list of them: expect = "keepalive" as expect = ["keepalive"].
Result<std::vector<std::string>> string_or_list(const Location& where, const std::string& key,
                                                const toml::node& node) {
  if (const auto text = node.value_exact<std::string>()) return std::vector<std::string>{*text};
  auto list = string_list(where, key, node);
  if (!list) return bad(where, node, fmt::format("'{}' must be a string or a list of strings", key));
  return list;
}

// A list of strings each of which `parse` accepts (resolve, connect_to);
// the error is parse's, at the key's line.
template <typename Parse>
Result<std::vector<std::string>> parsed_list(const Location& where, const std::string& key,
                                             const toml::node& node, Parse parse) {
  auto entries = string_list(where, key, node);
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& entry : *entries) {
    if (auto parsed = parse(entry); !parsed) return bad(where, node, parsed.error().message);
  }
  return entries;
}

// One of two flags that pick a value of `current` (http2 or
// http2_prior_knowledge, ipv4 or ipv6): true picks `mine` unless the other
// one did; false undoes only `mine` (a probe turning off what [defaults]
// turned on).
template <typename T>
Result<void> apply_choice_flag(const Location& where, const std::string& key, const toml::node& node,
                               T& current, T mine, T neither, std::string_view both_refused) {
  const auto flag = node.value_exact<bool>();
  if (!flag) return bad(where, node, fmt::format("'{}' must be true or false", key));
  if (*flag && current != neither && current != mine) return bad(where, node, std::string(both_refused));
  if (*flag)
    current = mine;
  else if (current == mine)
    current = neither;
  return {};
}

// connect_to, ipv4, ipv6, local_port, cert, key, user (kCurlKeys): as
// --connect-to, -4, -6, --local-port, --cert, --key and -u; false when the
// key is none of them.
Result<bool> apply_curl_key(const Location& where, const std::string& key, const toml::node& node,
                            ProbeSpec& spec) {
  if (key == "connect_to") {
    auto entries = parsed_list(where, key, node, parse_connect_to);
    if (!entries) return tl::unexpected(entries.error());
    spec.connect_to = *entries;
  } else if (key == "ipv4" || key == "ipv6") {
    auto set =
        apply_choice_flag(where, key, node, spec.ip_family, key == "ipv4" ? IpFamily::v4 : IpFamily::v6,
                          IpFamily::any, "'ipv4' and 'ipv6' exclude each other");
    if (!set) return tl::unexpected(set.error());
  } else if (key == "local_port") {
    const auto text =
        node.is_integer() ? std::to_string(*node.value<std::int64_t>()) : node.value_or(std::string());
    auto ports = parse_local_ports(text);
    if (!ports) return bad(where, node, "'local_port' " + ports.error().message);
    spec.local_ports = *ports;
  } else if (key == "cert" || key == "key") {
    const auto path = node.value<std::string>();
    if (!path || path->empty())
      return bad(where, node, fmt::format("'{}' must be the path of a PEM file", key));
    (key == "cert" ? spec.tls.cert_file : spec.tls.key_file) = *path;
  } else if (key == "user") {
    const auto text = node.value<std::string>();
    if (!text) return bad(where, node, "'user' must be a string USER:PASSWORD");
    if (auto problem = user_problem(*text)) return bad(where, node, "'user': " + *problem);
    spec.user = *text;
  } else {
    return false;
  }
  return true;
}

// insecure, cacert, resolve, tls_min, tls_max, http2, http2_prior_knowledge,
// streams: the command line's connection options as keys; false when the key
// is none of them.
Result<bool> apply_connection_key(const Location& where, const std::string& key, const toml::node& node,
                                  ProbeSpec& spec) {
  if (key == "insecure") {
    const auto flag = node.value_exact<bool>();
    if (!flag) return bad(where, node, "'insecure' must be true or false");
    spec.tls.insecure = *flag;
  } else if (key == "cacert") {
    const auto path = node.value<std::string>();
    if (!path || path->empty()) return bad(where, node, "'cacert' must be the path of a PEM file");
    spec.tls.ca_file = *path;
  } else if (key == "resolve") {
    auto entries = parsed_list(where, key, node, parse_resolve_override);
    if (!entries) return tl::unexpected(entries.error());
    spec.resolve = *entries;
  } else if (key == "http2" || key == "http2_prior_knowledge") {
    auto set = apply_choice_flag(where, key, node, spec.http,
                                 key == "http2" ? HttpMode::http2 : HttpMode::http2_prior_knowledge,
                                 HttpMode::http1, "'http2' and 'http2_prior_knowledge' exclude each other");
    if (!set) return tl::unexpected(set.error());
  } else if (key == "streams") {
    auto streams = number(where, key, node, kStreamsRule);
    if (!streams) return tl::unexpected(streams.error());
    spec.streams = static_cast<int>(*streams);
  } else if (key == "tls_min" || key == "tls_max") {
    const auto version = node.value<std::string>();
    if (!version) return bad(where, node, fmt::format("'{}' must be \"1.2\" or \"1.3\"", key));
    if (auto problem = tls_version_problem(*version))
      return bad(where, node, fmt::format("'{}' '{}' {}", key, *version, *problem));
    (key == "tls_min" ? spec.tls.min_version : spec.tls.max_version) = *version;
    if (auto problem = tls_range_problem(spec.tls.min_version, spec.tls.max_version))
      return bad(where, node, *problem);
  } else {
    return apply_curl_key(where, key, node, spec);
  }
  return true;
}

// redact: header names whose values every output hides, as --redact.
Result<void> apply_redact_key(const Location& where, const toml::node& node, CheckProbe& probe) {
  auto names = string_list(where, "redact", node);
  if (!names) return tl::unexpected(names.error());
  for (const auto& name : *names) {
    if (auto problem = header_name_problem(name))
      return bad(where, node, fmt::format("'redact' '{}' {}", name, *problem));
  }
  probe.redact.insert(probe.redact.end(), names->begin(), names->end());  // adds to [defaults]'
  return {};
}

// Applies one key shared by [defaults] and [[probe]]; false when the key is not one of those.
Result<bool> apply_common(const Location& where, const std::string& key, const toml::node& node,
                          CheckProbe& probe) {
  if (key == "method") {
    const auto method = node.value<std::string>();
    if (!method) return bad(where, node, "'method' must be a string such as \"GET\"");
    if (auto problem = method_problem(*method))
      return bad(where, node, fmt::format("'method' '{}' {}", *method, *problem));
    probe.request.method = *method;
  } else if (key == "headers") {
    auto headers = string_list(where, key, node);
    if (!headers) return tl::unexpected(headers.error());
    for (const auto& header : *headers) {
      if (auto problem = header_problem(header))
        return bad(where, node, fmt::format("header '{}' {}", header, *problem));
    }
    probe.request.headers = *headers;
  } else if (key == "body_bytes" || key == "upload_rate") {
    auto bytes = number(where, key, node, key == "body_bytes" ? kBodyBytesRule : kUploadRateRule);
    if (!bytes) return tl::unexpected(bytes.error());
    (key == "body_bytes" ? probe.request.body_bytes : probe.request.upload_rate) =
        static_cast<std::int64_t>(*bytes);
  } else if (key == "redact") {
    if (auto applied = apply_redact_key(where, node, probe); !applied) return tl::unexpected(applied.error());
  } else if (key == "repeat") {
    auto repeat = number(where, key, node, kRepeatRule);
    if (!repeat) return tl::unexpected(repeat.error());
    probe.repeat = static_cast<std::size_t>(*repeat);
  } else if (key == "rounds") {
    auto rounds = number(where, key, node, kRoundsRule);
    if (!rounds) return tl::unexpected(rounds.error());
    probe.spec.rounds = static_cast<int>(*rounds);
  } else if (key == "timeout" || key == "connect_timeout" || key == "watch" || key == "fin_watch") {
    const NumberRule& rule = key == "timeout"     ? kTimeoutRule
                             : key == "watch"     ? kWatchRule
                             : key == "fin_watch" ? kFinWatchRule
                                                  : kConnectTimeoutRule;
    auto value = number(where, key, node, rule);
    if (!value) return tl::unexpected(value.error());
    (key == "timeout"     ? probe.spec.timeout
     : key == "watch"     ? probe.spec.watch
     : key == "fin_watch" ? probe.spec.fin_watch
                          : probe.spec.connect_timeout) = seconds_to_ms(*value);
  } else {
    return apply_connection_key(where, key, node, probe.spec);
  }
  return true;
}

// data and data_binary: the command line's -d and --data-binary (a string
// or a list of them). TOML tables have no order, so data comes first, then
// data_binary, joined with '&' (build_request). Files are opened here, so
// that a missing one is named at its key's line.
Result<void> apply_data_key(const Location& where, const std::string& key, const toml::node& node,
                            CheckProbe& probe) {
  auto values = string_or_list(where, key, node);
  if (!values) return tl::unexpected(values.error());
  const bool binary = key == "data_binary";
  std::vector<DataPart> parts;
  for (auto& value : *values) parts.push_back({std::move(value), binary});
  if (auto readable = check_request_data(parts); !readable) return bad(where, node, readable.error().message);
  auto& data = probe.request.data;
  const auto at =
      binary ? data.end()
             : std::find_if(data.begin(), data.end(), [](const DataPart& part) { return part.binary; });
  data.insert(at, parts.begin(), parts.end());
  return {};
}

std::string_view table_name(EntryKind kind) {
  switch (kind) {
    case EntryKind::probe: return "[[probe]]";
    case EntryKind::idle: return "[[idle]]";
    case EntryKind::reuse: return "[[reuse]]";
  }
  return "[[probe]]";
}

// 'expect' as each kind of entry reads it: LABEL[/STATUS] list, IDLE text, REUSE outcome list.
Result<void> apply_expect(const Location& where, const toml::node& node, EntryKind kind, CheckProbe& probe) {
  Expectation& expectation = probe.expectation;
  if (kind == EntryKind::idle) {
    const auto text = node.value<std::string>();
    if (!text) return bad(where, node, "'expect' must be a string such as \"close:55-80\"");
    auto idle = parse_idle_expectation(*text);
    if (!idle) return bad(where, node, idle.error().message);
    expectation.idle = std::move(*idle);
    return {};
  }
  auto items = string_or_list(where, "expect", node);
  if (!items || items->empty())
    return bad(where, node,
               kind == EntryKind::reuse ? "'expect' must be a reuse outcome or a non-empty list of them"
                                        : "'expect' must be a label or a non-empty list of labels");
  std::set<Label> labels;
  std::set<std::string> outcomes;
  for (const auto& text : *items) {
    if (kind == EntryKind::reuse) {
      auto outcome = parse_reuse_outcome(text);
      if (!outcome) return bad(where, node, outcome.error().message);
      outcomes.insert(*outcome);
    } else if (auto added = add_expected_label(text, labels, expectation.statuses); !added) {
      return bad(where, node, added.error().message);
    }
  }
  if (kind == EntryKind::reuse)
    expectation.reuse = std::move(outcomes);
  else
    expectation.labels = std::move(labels);
  return {};
}

// The keys only idle and reuse entries have: how long to stay idle.
Result<bool> apply_idle_key(const Location& where, const std::string& key, const toml::node& node,
                            EntryKind kind, CheckProbe& probe) {
  if (kind == EntryKind::idle && key == "max") {
    auto max = number(where, key, node, kIdleMaxRule);
    if (!max) return tl::unexpected(max.error());
    probe.spec.watch = seconds_to_ms(*max);
    return true;
  }
  if (kind == EntryKind::reuse && key == "idle") {
    auto idle = number(where, key, node, kReuseIdleRule);
    if (!idle) return tl::unexpected(idle.error());
    probe.spec.reuse_after = std::chrono::milliseconds(static_cast<std::int64_t>(*idle));
    return true;
  }
  return false;
}

// An idle entry holds a plain GET idle: no body, and 'max' is its watch;
// a reuse entry's second request is its own round.
bool refused_for(EntryKind kind, const std::string& key) {
  if (kind == EntryKind::idle)
    return key == "watch" || key == "method" || key == "body_bytes" || key == "upload_rate" ||
           key == "streams" || key == "rounds";
  if (kind == EntryKind::reuse)
    return key == "body_bytes" || key == "upload_rate" || key == "streams" || key == "rounds";
  return false;
}

Result<void> apply_entry_key(const Location& where, const std::string& key, const toml::node& node,
                             EntryKind kind, CheckProbe& probe) {
  const std::string_view known = kind == EntryKind::probe  ? kProbeKeys
                                 : kind == EntryKind::idle ? kIdleKeys
                                                           : kReuseKeys;
  const auto unknown = [&] {
    return bad(
        where, node,
        fmt::format("unknown key '{}' in {} (known: {}, {})", key, table_name(kind), known, kCurlKeys));
  };
  if (refused_for(kind, key)) return unknown();
  auto common = apply_common(where, key, node, probe);
  if (!common) return tl::unexpected(common.error());
  if (*common) return {};
  auto idle = apply_idle_key(where, key, node, kind, probe);
  if (!idle) return tl::unexpected(idle.error());
  if (*idle) return {};
  if (kind == EntryKind::probe && (key == "data" || key == "data_binary"))
    return apply_data_key(where, key, node, probe);
  if (key == "name" || key == "url") {
    const auto text = node.value<std::string>();
    if (!text || text->empty()) return bad(where, node, fmt::format("'{}' must be a non-empty string", key));
    if (key == "name") {
      probe.name = *text;
      return {};
    }
    auto target = parse_target_url(*text);
    if (!target) return bad(where, node, "url: " + target.error().message);
    probe.spec.url = target->url;
    probe.target = fmt::format("{}://{}:{}", target->scheme, target->host, target->port);
    return {};
  }
  if (key == "expect") return apply_expect(where, node, kind, probe);
  return unknown();
}

Result<CheckProbe> read_defaults(const Location& where, const toml::table& document) {
  CheckProbe defaults;
  const toml::node* node = document.get("defaults");
  if (node == nullptr) return defaults;
  const toml::table* table = node->as_table();
  if (table == nullptr) return bad(where, *node, "[defaults] must be a table");
  for (const auto& [key, value] : *table) {
    auto applied = apply_common(where, std::string(key.str()), value, defaults);
    if (!applied) return tl::unexpected(applied.error());
    if (!*applied)
      return bad(
          where, value,
          fmt::format("unknown key '{}' in [defaults] (known: {}, {})", key.str(), kDefaultKeys, kCurlKeys));
  }
  return defaults;
}

// The entry's request, built as the command line builds probe's (build_request).
Result<CheckProbe> with_request(const Location& where, const toml::node& node, const toml::table& table,
                                CheckProbe probe) {
  const bool data = table.contains("data") || table.contains("data_binary");
  if (data && table.contains("body_bytes"))
    return bad(where, node,
               "'body_bytes' and 'data'/'data_binary' exclude each other, as on the command line");
  if (data) probe.request.body_bytes = 0;  // the entry's own body wins over [defaults]'
  if (probe.request.upload_rate > 0 && !has_body(probe.request))
    return bad(where, node, "'upload_rate' needs 'body_bytes', 'data' or 'data_binary'");
  if (auto built = build_request(probe.request, probe.spec); !built)
    return bad(where, node, built.error().message);
  return probe;
}

Result<CheckProbe> read_entry(const Location& where, const toml::node& node, EntryKind kind,
                              const CheckProbe& defaults) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return bad(where, node, fmt::format("each {} must be a table", table_name(kind)));
  CheckProbe probe = defaults;
  probe.line = node.source().begin.line;
  if (kind != EntryKind::probe) {  // [defaults]' body is for [[probe]]s: these send a plain request
    probe.request.body_bytes = 0;
    probe.request.upload_rate = 0;
    probe.spec.streams = 1;
    probe.spec.rounds = 1;
  }
  if (kind == EntryKind::idle) {
    probe.request.method.clear();  // a GET
    probe.spec.watch = seconds_to_ms(kIdleMaxDefault_s);
  }
  for (const auto& [key, value] : *table) {
    auto applied = apply_entry_key(where, std::string(key.str()), value, kind, probe);
    if (!applied) return tl::unexpected(applied.error());
  }
  std::vector<const char*> required = {"name", "url", "expect"};
  if (kind == EntryKind::reuse) required.push_back("idle");
  for (const char* key : required) {
    if (!table->contains(key)) return bad(where, node, fmt::format("{} needs '{}'", table_name(kind), key));
  }
  return with_request(where, node, *table, std::move(probe));
}

}  // namespace

std::string_view check_file_probe_keys() { return kProbeKeys; }

Result<std::vector<CheckProbe>> load_check_file(const std::string& path) {
  auto file = open_input_file(path, "expectations file");
  if (!file) return tl::unexpected(file.error());
  return parse_check_file(*file, path);
}

Result<std::vector<CheckProbe>> parse_check_file(std::istream& input, const std::string& path) {
  const Location where{path};
  toml::table document;
  try {
    document = toml::parse(input, path);
  } catch (const toml::parse_error& error) {
    if (error.source().begin.line == 0)
      return fail(ErrorKind::invalid_input, fmt::format("cannot read expectations file '{}'", path));
    return fail(ErrorKind::invalid_input,
                fmt::format("{}:{}: {}", path, error.source().begin.line, error.description()));
  }
  for (const auto& [key, value] : document) {
    if (key != "defaults" && key != "probe" && key != "idle" && key != "reuse")
      return bad(
          where, value,
          fmt::format("unknown table '{}' (use [defaults], [[probe]], [[idle]] and [[reuse]])", key.str()));
  }
  auto defaults = read_defaults(where, document);
  if (!defaults) return tl::unexpected(defaults.error());
  // Every entry, in the file's order: the table and reports list them so.
  std::vector<std::pair<const toml::node*, EntryKind>> entries;
  for (const auto& [key, kind] : {std::pair{"probe", EntryKind::probe}, std::pair{"idle", EntryKind::idle},
                                  std::pair{"reuse", EntryKind::reuse}}) {
    const toml::node* tables = document.get(key);
    if (tables == nullptr) continue;
    const toml::array* array = tables->as_array();
    if (array == nullptr)
      return bad(where, *tables, fmt::format("{} must be an array of tables", table_name(kind)));
    for (const auto& node : *array) entries.emplace_back(&node, kind);
  }
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.first->source().begin.line < b.first->source().begin.line;
  });
  std::vector<CheckProbe> result;
  std::map<std::string, long> names;
  for (const auto& [node, kind] : entries) {
    auto probe = read_entry(where, *node, kind, *defaults);
    if (!probe) return tl::unexpected(probe.error());
    if (auto [it, fresh] = names.emplace(probe->name, probe->line); !fresh)
      return bad(where, *node,
                 fmt::format("probe name '{}' is used twice (first at line {})", probe->name, it->second));
    result.push_back(std::move(*probe));
  }
  if (result.empty())
    return fail(ErrorKind::invalid_input, path + ": no [[probe]], [[idle]] or [[reuse]] in the file");
  return result;
}

}  // namespace termprobe
