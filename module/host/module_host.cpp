#include "module_host.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <thread>

#include "connection.h"
#include "registration.h"
#include "termprobe_module.h"

namespace termprobe_host {

namespace asio = boost::asio;
using asio::ip::tcp;

struct ModuleHost::Impl {
  asio::io_context acceptor_context;
  tcp::acceptor acceptor{acceptor_context};
  Registration registration;
  ConnectionRegistry connections;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};

  void accept_loop();
};

void ModuleHost::Impl::accept_loop() {
  while (!stopping.load()) {
    auto context = std::make_unique<asio::io_context>();
    boost::system::error_code error;
    tcp::socket socket = acceptor.accept(*context, error);
    if (error) {
      if (stopping.load()) return;
      continue;  // e.g. the client gave up before accept; keep serving
    }
    socket.set_option(tcp::no_delay(true), error);
    connections.thread_started();
    // One thread per connection: a module may block (delay_ms) without
    // stalling the others, as IIS worker threads do.
    std::thread([this, context = std::move(context), socket = std::move(socket)]() mutable {
      {
        Connection connection(*context, std::move(socket), registration.module, connections);
        connection.serve();
      }
      connections.thread_finished();
    }).detach();
  }
}

tl::expected<std::unique_ptr<ModuleHost>, std::string> ModuleHost::start(const HostOptions& options) {
  auto impl = std::make_unique<Impl>();
  boost::system::error_code error;
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
  impl->accept_thread = std::thread([raw = impl.get()] { raw->accept_loop(); });
  return std::unique_ptr<ModuleHost>(new ModuleHost(std::move(impl)));
}

ModuleHost::ModuleHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ModuleHost::~ModuleHost() {
  impl_->stopping.store(true);
  // shutdown() wakes the blocking accept(); closing from here would race it.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->accept_thread.join();
  impl_->connections.shutdown_all();
  impl_->connections.wait_for_threads();
  if (impl_->registration.module.factory != nullptr) impl_->registration.module.factory->Terminate();
}

unsigned short ModuleHost::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string ModuleHost::base_url() const {
  const auto endpoint = impl_->acceptor.local_endpoint();
  const std::string address = endpoint.address().to_string();
  const std::string host = endpoint.address().is_v6() ? "[" + address + "]" : address;
  return "http://" + host + ":" + std::to_string(endpoint.port());
}

}  // namespace termprobe_host
