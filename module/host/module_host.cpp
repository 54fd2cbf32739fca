#include "module_host.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "connection.h"
#include "connection_registry.h"
#include "refusal.h"
#include "registration.h"
#include "termprobe_module.h"
#include "threadpool_timer.h"
#include "tls_server_context.h"

namespace termprobe_host {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// Descriptors kept for everything that is not a client connection (the
// listener, refusals in progress, stdio, the process's own files).
constexpr std::size_t kReservedFiles = 64;

std::size_t connection_cap(std::size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const auto files = static_cast<std::size_t>(limit.rlim_cur);
  return std::min(wanted, files > 2 * kReservedFiles ? files - kReservedFiles : kReservedFiles);
}

}  // namespace

struct ModuleHost::Impl {
  ConnectionRegistry connections;  // first: connections unregister while io's handlers are destroyed
  asio::io_context io;
  tcp::acceptor acceptor{asio::make_strand(io)};
  asio::steady_timer accept_pause{acceptor.get_executor()};
  Registration registration;
  std::shared_ptr<asio::ssl::context> tls;  // null: plain HTTP
  std::size_t max_connections = 0;
  std::chrono::milliseconds request_head_timeout{};
  std::vector<std::thread> threads;

  void accept_next();
  void on_accept(const error_code& error, tcp::socket socket);
};

void ModuleHost::Impl::accept_next() {
  acceptor.async_accept(
      asio::any_io_executor(asio::make_strand(io)),
      [this](const error_code& error, tcp::socket socket) { on_accept(error, std::move(socket)); });
}

void ModuleHost::Impl::on_accept(const error_code& error, tcp::socket socket) {
  if (error == asio::error::operation_aborted) return;
  if (error) {
    // Out of descriptors (or the client gave up before accept): pause
    // rather than spin; the backlog holds new clients meanwhile.
    accept_pause.expires_after(std::chrono::milliseconds(50));
    accept_pause.async_wait([this](const error_code& waited) {
      if (!waited) accept_next();
    });
    return;
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (connections.count() >= max_connections) {
    refuse(std::move(socket), tls.get());
  } else {
    std::make_shared<Connection>(std::move(socket), tls.get(), registration.module, connections,
                                 request_head_timeout)
        ->start();
  }
  accept_next();
}

tl::expected<std::unique_ptr<ModuleHost>, std::string> ModuleHost::start(const HostOptions& options) {
  auto impl = std::make_unique<Impl>();
  if (options.tls) {
    auto context = make_server_context(*options.tls);
    if (!context) return tl::unexpected(context.error());
    impl->tls = std::move(*context);
  }
  error_code error;
  const auto address = asio::ip::make_address(options.address, error);
  if (error) return tl::unexpected("'" + options.address + "' is not a numeric IP address");
  const tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), error);
  if (!error) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) impl->acceptor.bind(endpoint, error);
  if (!error) impl->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error)
    return tl::unexpected("cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " +
                          error.message());
  const HRESULT registered = RegisterModule(0, &impl->registration, nullptr);
  if (FAILED(registered) || impl->registration.module.factory == nullptr)
    return tl::unexpected(std::string("the termprobe module did not register"));
  impl->max_connections = connection_cap(options.max_connections);
  impl->request_head_timeout = options.request_head_timeout;
  impl->accept_next();
  for (unsigned i = 0; i < kThreads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] {
      TimerThreadBinding timers(raw->io);
      raw->io.run();
    });
  }
  return std::unique_ptr<ModuleHost>(new ModuleHost(std::move(impl)));
}

ModuleHost::ModuleHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

// Stopping does not wait for anything: the threads leave io.run() at once,
// and then, with no handler running, every connection ends here.
ModuleHost::~ModuleHost() {
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->connections.stop_all();
  if (impl_->registration.module.factory != nullptr) impl_->registration.module.factory->Terminate();
}

unsigned short ModuleHost::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string ModuleHost::base_url() const {
  const auto endpoint = impl_->acceptor.local_endpoint();
  const std::string address = endpoint.address().to_string();
  const std::string host = endpoint.address().is_v6() ? "[" + address + "]" : address;
  return (impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(endpoint.port());
}

std::size_t ModuleHost::max_connections() const { return impl_->max_connections; }

}  // namespace termprobe_host
