#include "clients/client_drivers.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>

#include "clients/embedded_drivers.h"

extern char** environ;

namespace termprobe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

enum class Runtime { python, node, go, java };

struct Driver {
  std::string_view client;
  std::string_view file;
  Runtime runtime;
};

constexpr Driver kDrivers[] = {
    {"python-requests", "termprobe_client.py", Runtime::python},
    {"python-httpx", "termprobe_client.py", Runtime::python},
    {"python-aiohttp", "termprobe_client.py", Runtime::python},
    {"node-fetch", "termprobe_client.mjs", Runtime::node},
    {"node-http", "termprobe_client.mjs", Runtime::node},
    {"go", "termprobe_client.go", Runtime::go},
    {"java", "TermprobeClient.java", Runtime::java},
    {"chromium", "termprobe_chromium.mjs", Runtime::node},
};

// What a finished child process said.
struct ChildResult {
  std::string out;
  std::string err;
  int status = -1;  // waitpid's status; -1 when it could not start
  bool timed_out = false;
  bool stopped = false;  // a stop request ended it
};

// Reads a child's stdout and stderr until both close or the deadline passes
// (then its whole process group is killed: a browser's helpers too).
ChildResult run_child(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                      std::chrono::milliseconds limit, const std::atomic<bool>* stop = nullptr) {
  ChildResult result;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return result;
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::vector<std::string> environment(extra_env);
  for (char** e = environ; *e != nullptr; ++e) environment.emplace_back(*e);
  std::vector<char*> args, envs;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : environment) envs.push_back(const_cast<char*>(e.c_str()));
  args.push_back(nullptr);
  envs.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), envs.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out[1]);
  close(err[1]);
  if (spawned == 0) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_pipes = 2;
    while (open_pipes > 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || (stop != nullptr && *stop)) {
        (left.count() <= 0 ? result.timed_out : result.stopped) = true;
        kill(-pid, SIGKILL);
        break;
      }
      // Woken at least every 100 ms to see a stop request.
      if (poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left.count(), 100))) < 0 && errno != EINTR)
        break;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        char buffer[8192];
        const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
        if (n > 0) {
          sinks[i]->append(buffer, static_cast<std::size_t>(n));
        } else {
          fds[i].fd = -1;
          --open_pipes;
        }
      }
    }
    waitpid(pid, &result.status, 0);
    kill(-pid, SIGKILL);  // helpers a driver left behind
  }
  close(out[0]);
  close(err[0]);
  return result;
}

std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::size_t at = text.rfind('\n');
  return at == std::string::npos ? text : text.substr(at + 1);
}

std::optional<std::string> find_program(const std::vector<std::string>& candidates) {
  for (const std::string& name : candidates) {
    if (name.find('/') != std::string::npos) {
      if (access(name.c_str(), X_OK) == 0) return name;
      continue;
    }
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  }
  return std::nullopt;
}

// The runtime's program, or nullopt. TERMPROBE_PYTHON, TERMPROBE_NODE,
// TERMPROBE_GO and TERMPROBE_JAVA name another, and then only that one.
std::optional<std::string> runtime_program(Runtime runtime) {
  const char* variables[] = {"TERMPROBE_PYTHON", "TERMPROBE_NODE", "TERMPROBE_GO", "TERMPROBE_JAVA"};
  const char* chosen = std::getenv(variables[static_cast<int>(runtime)]);
  if (chosen != nullptr && *chosen != '\0') return find_program({chosen});
  switch (runtime) {
    // Debian's python3 first: its packages are the clients the table records.
    case Runtime::python: return find_program({"/usr/bin/python3", "python3"});
    case Runtime::node: return find_program({"node"});
    case Runtime::go: return find_program({"go", "/usr/lib/go/bin/go"});
    case Runtime::java: return find_program({"java"});
  }
  return std::nullopt;
}

std::string_view install_hint(Runtime runtime) {
  switch (runtime) {
    case Runtime::python: return "python3 is not installed (apt install python3)";
    case Runtime::node: return "node is not installed (apt install nodejs)";
    case Runtime::go: return "go is not installed (apt install golang-go)";
    case Runtime::java: return "java is not installed (apt install default-jdk-headless)";
  }
  return "";
}

// A private directory for the drivers of this build: $XDG_CACHE_HOME or
// ~/.cache, else /tmp, named after their contents so an upgrade never runs
// an old driver.
// Makes dir (when missing) and makes sure it is ours alone: a real
// directory, not a link, owned by this user, that no one else may write.
// termprobe runs what it finds there (the Go driver's binary too), so a
// folder another user made first (/tmp is shared) is never used, nor
// written into, nor changed.
bool make_private(const fs::path& dir) {
  std::error_code error;
  fs::create_directory(dir, error);
  struct stat status {};
  if (lstat(dir.c_str(), &status) != 0 || !S_ISDIR(status.st_mode) || status.st_uid != geteuid())
    return false;
  fs::permissions(dir, fs::perms::owner_all, error);
  return !error;
}

std::optional<fs::path> driver_directory() {
  std::size_t digest = 0;
  for (const auto& [name, contents] : embedded_drivers())
    digest = digest * 31 + std::hash<std::string_view>{}(name)*7 + std::hash<std::string_view>{}(contents);
  const std::string leaf = fmt::format("clients-{:016x}", digest);
  std::vector<std::pair<fs::path, bool>> bases;  // and whether the base itself must be private
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/')
    bases.emplace_back(xdg, false);
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/')
    bases.emplace_back(fs::path(home) / ".cache", false);
  bases.emplace_back(fmt::format("/tmp/termprobe-{}", geteuid()), true);
  for (const auto& [base, shared_parent] : bases) {
    std::error_code error;
    if (shared_parent ? !make_private(base) : (fs::create_directories(base, error), error.value() != 0))
      continue;
    if (make_private(base / "termprobe") && make_private(base / "termprobe" / leaf))
      return base / "termprobe" / leaf;
  }
  return std::nullopt;
}

// Writes a file whole or not at all: another termprobe may be reading it.
bool write_atomically(const fs::path& path, std::string_view contents) {
  const fs::path temporary = path.string() + fmt::format(".{}.tmp", getpid());
  {
    std::ofstream file(temporary, std::ios::binary);
    file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!file) return false;
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  return !error;
}

std::optional<fs::path> installed_driver(const fs::path& dir, std::string_view file) {
  for (const auto& [name, contents] : embedded_drivers()) {
    if (name != file) continue;
    // The file as embedded, whatever is there: a run never uses a driver it did not write.
    const fs::path path = dir / std::string(name);
    std::ifstream existing(path, std::ios::binary);
    const std::string found((std::istreambuf_iterator<char>(existing)), std::istreambuf_iterator<char>());
    if (found == contents || write_atomically(path, contents)) return path;
  }
  return std::nullopt;
}

ClientRun failed_run(std::string_view client, std::string outcome, std::string type, std::string message) {
  ClientRun run;
  run.verdict.client = std::string(client);
  run.verdict.outcome = std::move(outcome);
  run.verdict.error = ClientError{std::move(type), std::move(message), {}};
  return run;
}

// The Go driver, built once per driver directory (the build is the slow part).
std::optional<fs::path> go_binary(const std::string& go, const fs::path& source, std::string& why) {
  const fs::path binary = source.parent_path() / "termprobe_client_go";
  if (fs::exists(binary)) return binary;
  const fs::path building = binary.string() + fmt::format(".{}.tmp", getpid());
  const fs::path cache = source.parent_path() / "go-build-cache";
  const ChildResult built =
      run_child({go, "build", "-o", building.string(), source.string()},
                {"GOCACHE=" + cache.string(), "GOPATH=" + (source.parent_path() / "gopath").string(),
                 "GOFLAGS=", "GO111MODULE=off", "CGO_ENABLED=0"},
                std::chrono::minutes(3));
  std::error_code error;
  if (built.status != 0 || !fs::exists(building)) {
    why = "go build of the driver failed: " + last_line(built.err);
    return std::nullopt;
  }
  fs::rename(building, binary, error);
  return binary;
}

json request_json(std::string_view client, const ClientRequest& request, const fs::path& body_file) {
  const ProbeSpec& spec = request.spec;
  json headers = json::array();
  for (const auto& [name, value] : client_headers(spec)) headers.push_back({name, value});
  const char* http = spec.http == HttpMode::http2                   ? "2"
                     : spec.http == HttpMode::http2_prior_knowledge ? "2-prior-knowledge"
                                                                    : "1.1";
  return {{"client", client},
          {"url", spec.url},
          {"connect_to", {{"host", request.connect_to.address}, {"port", request.connect_to.port}}},
          {"method", spec.method},
          {"headers", headers},
          {"body_file", body_file.empty() ? json(nullptr) : json(body_file.string())},
          {"insecure", spec.tls.insecure},
          {"ca_file", spec.tls.ca_file.empty() ? json(nullptr) : json(spec.tls.ca_file)},
          {"http", http},
          {"rounds", spec.rounds},
          {"timeout_s", static_cast<double>(spec.timeout.count()) / 1000.0}};
}

template <typename T>
std::optional<T> optional_of(const json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<T>();
}

// The driver's JSON as a run; throws on a result that breaks the contract.
ClientRun run_from_json(std::string_view client, const json& result) {
  ClientRun run;
  ClientVerdict& v = run.verdict;
  v.client = std::string(client);
  v.version = result.value("version", json("")).is_string() ? result.value("version", "") : "";
  v.outcome = result.at("outcome").get<std::string>();
  v.status = optional_of<int>(result.value("status", json(nullptr)));
  v.requests = optional_of<int>(result.value("requests", json(nullptr)));
  run.body_bytes = optional_of<std::int64_t>(result.value("body_bytes", json(nullptr)));
  run.declared_length = optional_of<std::int64_t>(result.value("declared_length", json(nullptr)));
  const json error = result.value("error", json(nullptr));
  if (!error.is_null()) {
    ClientError e{error.at("type").get<std::string>(), error.at("message").get<std::string>(), {}};
    for (const json& cause : error.value("cause", json::array())) e.cause.push_back(cause.get<std::string>());
    v.error = std::move(e);
  }
  static const std::vector<std::string> outcomes = {"response", "error", "unavailable", "unsupported"};
  if (std::find(outcomes.begin(), outcomes.end(), v.outcome) == outcomes.end())
    throw std::runtime_error("unknown outcome " + v.outcome);
  if (v.outcome != "response" && !v.error) throw std::runtime_error("no error for outcome " + v.outcome);
  return run;
}

// The temporary folder with the request and its body, removed afterwards.
struct RequestFiles {
  fs::path dir;
  ~RequestFiles() {
    std::error_code error;
    if (!dir.empty()) fs::remove_all(dir, error);
  }
};

}  // namespace

const std::vector<std::string_view>& client_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all = {"curl"};
    for (const Driver& driver : kDrivers) all.push_back(driver.client);
    return all;
  }();
  return names;
}

ClientRun run_driver_client(std::string_view client, const ClientRequest& request) {
  const Driver* driver = nullptr;
  for (const Driver& d : kDrivers)
    if (d.client == client) driver = &d;
  if (driver == nullptr) return failed_run(client, "unsupported", "unsupported", "no such client");
  // Said, not skipped: a driver without the certificate would meet the
  // server's refusal and report it as the client's own error.
  if (!request.spec.tls.cert_file.empty())
    return failed_run(
        client, "unsupported", "unsupported",
        "--cert/--key: client certificates are passed to curl only, not to this client's driver");
  const auto program = runtime_program(driver->runtime);
  if (!program)
    return failed_run(client, "unavailable", "unavailable", std::string(install_hint(driver->runtime)));
  const auto dir = driver_directory();
  const auto source = dir ? installed_driver(*dir, driver->file) : std::nullopt;
  if (!source)
    return failed_run(client, "driver_failed", "driver_failed",
                      "cannot write the driver to a cache directory");
  std::vector<std::string> argv = {*program, source->string()};
  if (driver->runtime == Runtime::go) {
    std::string why;
    const auto binary = go_binary(*program, *source, why);
    if (!binary) return failed_run(client, "driver_failed", "driver_failed", why);
    argv = {binary->string()};
  }
  char pattern[] = "/tmp/termprobe-request-XXXXXX";
  RequestFiles files;
  if (mkdtemp(pattern) == nullptr)
    return failed_run(client, "driver_failed", "driver_failed", "cannot make a temporary directory");
  files.dir = pattern;
  fs::path body_file;
  if (const std::string body = client_body(request.spec); !body.empty()) {
    body_file = files.dir / "body";
    write_atomically(body_file, body);
  }
  const fs::path request_file = files.dir / "request.json";
  write_atomically(request_file, request_json(client, request, body_file).dump());
  argv.push_back(request_file.string());
  // The driver's own deadline is the request's; this one only stops a driver that hangs past it.
  const auto limit = request.spec.timeout + request.spec.connect_timeout + std::chrono::seconds(30);
  const ChildResult child =
      run_child(argv, {}, std::chrono::duration_cast<std::chrono::milliseconds>(limit), &request.stop);
  if (child.stopped) return interrupted_run(client);
  if (child.timed_out)
    return failed_run(client, "driver_failed", "driver_failed", "the driver did not finish in time");
  try {
    if (child.status != 0)
      throw std::runtime_error("exit status " + std::to_string(WEXITSTATUS(child.status)) + ": " +
                               last_line(child.err));
    return run_from_json(client, json::parse(child.out));
  } catch (const std::exception& e) {
    return failed_run(client, "driver_failed", "driver_failed",
                      fmt::format("the {} driver failed: {}", client, e.what()));
  }
}

}  // namespace termprobe
