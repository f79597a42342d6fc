#include "app/app.h"

#include "ui/panels.h"

namespace knobs {

void app_init(AppState& s) {
    s.lab_ui.editing = s.lab.settings();
    s.focused_lesson_panel = PanelId::lifecycle;
    s.focused_lab_panel = PanelId::pretrain;
}

void app_frame(AppState& s, double now_s) {
    s.time_s = now_s;
    // Bounded work first, so the UI shows this frame's results; the budget keeps the page responsive.
    s.lab.update(s.frame_budget_ms);
    DrawShell(s);
    ++s.frame;
}

}  // namespace knobs
