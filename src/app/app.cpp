#include "app/app.h"

#include <chrono>

#include "app/url_state.h"
#include "ui/panels.h"

namespace knobs {

namespace {
// run=N in a link: train until exactly step N, so the receiver sees the sender's curve bit for bit.
void start_auto_run(AppState& s) {
    if (s.link.run_steps == s.auto_run_seen) return;
    if (!pending_corpus_url(s).empty()) return;  // the linked text is on its way; run once it is in
    s.auto_run_seen = s.link.run_steps;
    if (s.link.run_steps <= 0) return;
    if (s.lab.pretrain().params == 0) s.lab.apply_settings(s.lab_ui.editing);
    s.lab.play_until(s.link.run_steps);
}
}  // namespace

void app_init(AppState& s) {
    s.lab_ui.editing = s.lab.settings();
    s.focused_lesson_panel = PanelId::lifecycle;
    s.focused_lab_panel = PanelId::pretrain;
}

void app_frame(AppState& s, double now_s) {
    s.time_s = now_s;
    start_auto_run(s);
    // Bounded work first, so the UI shows this frame's results; the budget keeps the page responsive.
    const auto lab_start = std::chrono::steady_clock::now();
    s.lab.update(s.frame_budget_ms);
    s.last_lab_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - lab_start).count();
    DrawShell(s);
    ++s.frame;
}

}  // namespace knobs
