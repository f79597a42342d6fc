// The one loop body both platforms call each frame (between the backend's NewFrame and Render).
#pragma once
#include "app/app_state.h"

namespace knobs {

void app_init(AppState& s);
// Bounded work for this frame (training gets a time budget), then the UI. `now_s` is monotonic seconds.
void app_frame(AppState& s, double now_s);

}  // namespace knobs
