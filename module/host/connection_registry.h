// The connections alive in one host: their number (for the cap) and, when
// the host stops, each of them to end.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace termprobe_host {

class Connection;

class ConnectionRegistry {
 public:
  void add(const std::shared_ptr<Connection>& connection);
  void remove(const Connection* connection);
  std::size_t count() const;
  // Ends every connection now. Only once the host's threads have stopped.
  void stop_all();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections_;
};

}  // namespace termprobe_host
