// Test doubles of the IIS API that record every call the module makes, so
// the tests can assert which method is called in which notification.
#pragma once

#include <httpserv.h>

#include <deque>
#include <string>
#include <vector>

#include "unused_response_methods.h"

namespace termprobe_test {

struct CallLog {
  std::vector<std::string> calls;
  void add(std::string call) { calls.push_back(std::move(call)); }
};

// The module's response, as IIS hands it out: an IHttpResponse4 whose
// unused methods do nothing (termprobe_host::UnusedResponseMethods).
class RecordingResponse : public termprobe_host::UnusedResponseMethods {
 public:
  explicit RecordingResponse(CallLog& log) : log_(log) {}
  VOID Clear(VOID) override { log_.add("Clear"); }
  HRESULT SetStatus(USHORT code, PCSTR reason, USHORT, HRESULT, IAppHostConfigException*, BOOL) override {
    log_.add("SetStatus " + std::to_string(code) + " " + reason);
    return S_OK;
  }
  HRESULT SetHeader(PCSTR name, PCSTR value, USHORT length, BOOL) override {
    log_.add(std::string("SetHeader ") + name + ": " + std::string(value, length));
    return S_OK;
  }
  HRESULT SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT length, BOOL) override {
    log_.add("SetHeader #" + std::to_string(static_cast<int>(id)) + ": " + std::string(value, length));
    return S_OK;
  }
  using termprobe_host::UnusedResponseMethods::Flush;  // IHttpResponse2's, beside IHttpResponse's below
  using termprobe_host::UnusedResponseMethods::WriteEntityChunks;
  HRESULT WriteEntityChunks(HTTP_DATA_CHUNK* chunks, DWORD count, BOOL, BOOL, DWORD* sent, BOOL*) override {
    std::string text;
    for (DWORD i = 0; i < count; ++i)
      text.append(static_cast<const char*>(chunks[i].FromMemory.pBuffer), chunks[i].FromMemory.BufferLength);
    log_.add(text.size() > 40 ? "Write " + std::to_string(text.size()) + " bytes" : "Write " + text);
    written += text;
    if (sent != NULL) *sent = static_cast<DWORD>(text.size());
    return S_OK;
  }
  HRESULT Flush(BOOL, BOOL, DWORD*, BOOL*) override {
    log_.add("Flush");
    return S_OK;
  }
  VOID ResetConnection(VOID) override { log_.add("ResetConnection"); }
  VOID SetNeedDisconnect(VOID) override { log_.add("SetNeedDisconnect"); }
  VOID ResetStream(ULONG code) override { log_.add("ResetStream " + std::to_string(code)); }
  VOID SetNeedGoAway(VOID) override { log_.add("SetNeedGoAway"); }

  std::string written;  // every byte written, in order

 private:
  CallLog& log_;
};

// Each scripted read either completes at once with n bytes or goes pending.
struct ScriptedRead {
  bool pending = false;
  DWORD bytes = 0;
  HRESULT status = S_OK;
};

class RecordingRequest : public IHttpRequest {
 public:
  RecordingRequest(CallLog& log, std::string target) : log_(log), target_(std::move(target)) {
    raw_.pRawUrl = target_.c_str();
    raw_.RawUrlLength = static_cast<USHORT>(target_.size());
  }
  HTTP_REQUEST* GetRawHttpRequest(VOID) override { return &raw_; }
  PCSTR GetHttpMethod(VOID) const override { return "GET"; }
  PCSTR GetHeader(PCSTR name, USHORT* length) const override {
    if (std::string(name) != "X-Termprobe-Token" || token.empty()) return NULL;
    if (length != NULL) *length = static_cast<USHORT>(token.size());
    return token.c_str();
  }
  HRESULT ReadEntityBody(VOID*, DWORD, BOOL async, DWORD* received, BOOL* pending) override {
    log_.add(async ? "ReadEntityBody async" : "ReadEntityBody sync");
    ScriptedRead next;
    if (!reads.empty()) {
      next = reads.front();
      reads.pop_front();
    } else {
      next.status = HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
    }
    if (received != NULL) *received = next.bytes;
    if (pending != NULL) *pending = next.pending ? TRUE : FALSE;
    return next.status;
  }
  DWORD GetRemainingEntityBytes(VOID) override { return 0; }

  std::deque<ScriptedRead> reads;
  std::string token;

 private:
  CallLog& log_;
  std::string target_;
  HTTP_REQUEST raw_{};
};

class RecordingContext : public IHttpContext {
 public:
  explicit RecordingContext(std::string target) : request(log, std::move(target)), response(log) {}
  IHttpRequest* GetRequest(VOID) override { return &request; }
  IHttpResponse* GetResponse(VOID) override { return &response; }
  HRESULT CancelIo(VOID) override {
    log.add("CancelIo");
    return S_OK;
  }
  HRESULT PostCompletion(DWORD bytes) override {
    log.add("PostCompletion " + std::to_string(bytes));
    return S_OK;
  }

  CallLog log;
  RecordingRequest request;
  RecordingResponse response;
};

class NullProvider : public ISendResponseProvider {
 public:
  VOID SetErrorStatus(HRESULT) override {}
  BOOL GetHeadersBeingSent(VOID) const override { return TRUE; }
};

class FixedCompletion : public IHttpCompletionInfo {
 public:
  FixedCompletion(HRESULT status, DWORD bytes) : status_(status), bytes_(bytes) {}
  DWORD GetCompletionBytes(VOID) const override { return bytes_; }
  HRESULT GetCompletionStatus(VOID) const override { return status_; }

 private:
  HRESULT status_;
  DWORD bytes_;
};

}  // namespace termprobe_test
