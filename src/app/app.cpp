#include "app/app.h"

#include "ui/panels.h"

namespace knobs {

void app_init(AppState& s) {
    s.panel_open[static_cast<int>(PanelId::about)] = true;
}

void app_frame(AppState& s, double now_s) {
    s.time_s = now_s;
    DrawShell(s);
    ++s.frame;
}

}  // namespace knobs
