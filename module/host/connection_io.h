// What the IIS API objects of one request need from the connection under
// them: send bytes, reset, read the body (sync or async), cancel, and
// complete a notification the module left pending.
#pragma once

#include <windows.h>

#include <cstdint>

#include "response_part.h"

namespace termprobe_host {

struct ReadResult {
  HRESULT status = S_OK;  // S_OK, HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), ..._OPERATION_ABORTED, ...
  DWORD bytes = 0;        // body bytes placed in the caller's buffer
  bool pending = false;   // the read will complete later, in OnAsyncCompletion
};

class ConnectionIo {
 public:
  virtual ~ConnectionIo() = default;
  // Frames a part of the response and queues it for the client, in order;
  // false when the connection (or the stream) is gone.
  virtual bool send_part(ResponsePart part) = 0;
  // SO_LINGER {1,0} + close once what is queued has gone out: the client sees
  // RST, data still unsent in the kernel is dropped. Later sends go nowhere.
  virtual void reset() = 0;
  virtual bool is_reset() const = 0;
  // HTTP/2: RST_STREAM(code) once what is queued has gone out; is_reset()
  // then holds. HTTP/1.1 has no stream to reset: false, nothing happens.
  virtual bool reset_stream(std::uint32_t code) {
    static_cast<void>(code);
    return false;
  }
  // Reads request body into buffer. With async, a read that cannot complete
  // from data already received goes pending instead of blocking.
  virtual ReadResult read_body(void* buffer, DWORD size, bool async) = 0;
  virtual DWORD remaining_body_bytes() const = 0;
  // Cancels a pending read; its completion then carries ERROR_OPERATION_ABORTED.
  virtual bool cancel_pending_io() = 0;
  // IHttpContext::PostCompletion, from any thread: the pending notification
  // completes with bytes, in OnAsyncCompletion on the connection's strand.
  virtual void post_completion(DWORD bytes) = 0;
};

}  // namespace termprobe_host
