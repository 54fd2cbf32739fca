#include "connection_registry.h"

#include <vector>

#include "connection.h"

namespace termprobe_host {

void ConnectionRegistry::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  connections_.emplace(connection.get(), connection);
}

void ConnectionRegistry::remove(const Connection* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

std::size_t ConnectionRegistry::count() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void ConnectionRegistry::stop_all() {
  std::vector<std::shared_ptr<Connection>> alive;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [raw, weak] : connections_) {
      if (auto connection = weak.lock()) alive.push_back(std::move(connection));
    }
  }
  // Outside the lock: a connection released here unregisters itself.
  for (const auto& connection : alive) connection->stop_now();
}

}  // namespace termprobe_host
