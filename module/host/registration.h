// IHttpModuleRegistrationInfo on the Linux host: what RegisterModule asks for.
#pragma once

#include <httpserv.h>

#include "pipeline.h"

namespace termprobe_host {

class Registration : public IHttpModuleRegistrationInfo {
 public:
  HRESULT SetRequestNotifications(IHttpModuleFactory* pModuleFactory, DWORD dwRequestNotifications,
                                  DWORD dwPostRequestNotifications) override {
    UNREFERENCED_PARAMETER(dwPostRequestNotifications);  // the module subscribes to none
    if (pModuleFactory == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
    module.factory = pModuleFactory;
    module.notifications = dwRequestNotifications;
    return S_OK;
  }

  ModuleRegistration module;
};

}  // namespace termprobe_host
