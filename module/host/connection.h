// One client connection of the Linux host: Boost.Beast parses each request,
// Asio does the socket work, the module runs through the pipeline.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include "connection_io.h"
#include "pipeline.h"

namespace termprobe_host {

class ConnectionRegistry;

class Connection : public ConnectionIo {
 public:
  // socket must belong to context; the registry lets the host shut it down.
  Connection(boost::asio::io_context& context, boost::asio::ip::tcp::socket socket,
             const ModuleRegistration& module, ConnectionRegistry& registry);
  ~Connection() override;

  // Serves requests until the client leaves, the module ends the connection
  // or the host stops.
  void serve();

  bool send(std::string_view bytes) override;
  void reset() override;
  bool is_reset() const override { return reset_; }
  ReadResult read_body(void* buffer, DWORD size, bool async) override;
  DWORD remaining_body_bytes() const override;
  bool cancel_pending_io() override;

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

  bool serve_one();
  std::optional<ReadResult> wait_for_completion();
  void close_socket(bool hard);
  void answer_bad_request();

  boost::asio::io_context& context_;
  boost::asio::ip::tcp::socket socket_;
  const ModuleRegistration& module_;
  ConnectionRegistry& registry_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  bool reset_ = false;
  bool closed_ = false;
  bool read_pending_ = false;
  DWORD pending_size_ = 0;                // buffer size of the pending read
  std::optional<ReadResult> completion_;  // the pending read's result, once it completed
};

// The connections alive in one host, so that stopping the host can shut
// their sockets down and wait for their threads.
class ConnectionRegistry {
 public:
  void add(int fd);
  // Closes fd under the registry's lock, so stop() never touches a reused fd.
  void close(int fd, bool hard);
  void shutdown_all();
  void thread_started();
  void thread_finished();
  void wait_for_threads();

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  std::vector<int> fds_;
  std::size_t threads_ = 0;
};

}  // namespace termprobe_host
