// An app after app_init and before any frame, without the UI (no ImGui context): for the tests of state,
// links and settings alone. ui_harness.h drives the UI.
#pragma once
#include <memory>

#include "app/app.h"

namespace knobs::testing {

inline std::unique_ptr<AppState> fresh_app() {
    auto s = std::make_unique<AppState>();
    app_init(*s);
    return s;
}

}  // namespace knobs::testing
