// What the IIS API objects of one request need from the connection under
// them: send bytes, reset, read the body (sync or async), cancel.
#pragma once

#include <windows.h>

#include <string_view>

namespace termprobe_host {

struct ReadResult {
  HRESULT status = S_OK;  // S_OK, HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), ..._OPERATION_ABORTED, ...
  DWORD bytes = 0;        // body bytes placed in the caller's buffer
  bool pending = false;   // the read will complete later, in OnAsyncCompletion
};

class ConnectionIo {
 public:
  virtual ~ConnectionIo() = default;
  // Writes bytes to the client now; false when the connection is gone.
  virtual bool send(std::string_view bytes) = 0;
  // SO_LINGER {1,0} + close: the client sees RST at once, unsent data is dropped.
  virtual void reset() = 0;
  virtual bool is_reset() const = 0;
  // Reads request body into buffer. With async, a read that cannot complete
  // from data already received goes pending instead of blocking.
  virtual ReadResult read_body(void* buffer, DWORD size, bool async) = 0;
  virtual DWORD remaining_body_bytes() const = 0;
  // Cancels a pending read; its completion then carries ERROR_OPERATION_ABORTED.
  virtual bool cancel_pending_io() = 0;
};

}  // namespace termprobe_host
