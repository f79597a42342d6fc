// The app's half of one frame, which both platforms run the same way:
//   app_update(s, now)   bounded work: the lab advances within its time budget
//   DrawShell(s)         the UI (src/ui) reads the state and posts commands
//   app_apply_posted(s)  the posted commands go through apply() (commands.h), and the frame ends
// The runner (src/platform/runner.cpp) and the headless UI tests call these three in this order.
#pragma once
#include "app/app_state.h"

namespace knobs {

void app_init(AppState& s);
// Loads the lesson on the first frame, applies what a link still waits for, then bounded work for this
// frame (training gets a time budget). `now_s` is monotonic seconds.
void app_update(AppState& s, double now_s);
// Applies the commands the UI posted while drawing, in order, then counts the frame.
void app_apply_posted(AppState& s);

}  // namespace knobs
