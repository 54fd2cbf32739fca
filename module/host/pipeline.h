// One request through the module, in IIS's order: OnBeginRequest,
// OnExecuteRequestHandler (with OnAsyncCompletion while it is pending),
// OnSendResponse before each send, then the response goes out.
#pragma once

#include <httpserv.h>

#include <functional>
#include <optional>

#include "connection_io.h"
#include "host_request.h"

namespace termprobe_host {

struct ModuleRegistration {
  IHttpModuleFactory* factory = nullptr;  // from the module's RegisterModule
  DWORD notifications = 0;                // RQ_* flags it subscribed to
};

// Blocks until the pending asynchronous operation completes; nullopt when
// nothing is pending (a module that returned PENDING without starting I/O).
using WaitForCompletion = std::function<std::optional<ReadResult>()>;

// Runs the request and finishes the response. close_after is asked when the
// last bytes go out: whether the host will close the connection afterwards.
void run_request(const ModuleRegistration& module, HostContext& context, const WaitForCompletion& wait,
                 const std::function<bool()>& close_after);

}  // namespace termprobe_host
