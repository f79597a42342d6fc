// The explicit command surface of the app. The page API (window.knobs.command), the URL state and the
// UI's own buttons all go through here, so every action is testable headless.
#pragma once
#include <string>

#include "app/app_state.h"

namespace knobs {

struct CommandResult {
    bool ok = true;
    std::string error;  // a sentence for the user when !ok
};

// `json` is an object {"cmd": "<name>", ...arguments}. Unknown commands and bad arguments are refused
// with a message; the state is left as it was.
CommandResult run_command(AppState& s, const std::string& json);
std::string command_result_json(const CommandResult& r);

// A JSON snapshot of the state for the page API and tests (documented in docs/page-api.md).
std::string state_json(const AppState& s);

// Named state changes shared by commands and UI widgets.
void set_theme(AppState& s, Theme t);
bool set_language(AppState& s, const std::string& lang);
void open_panel(AppState& s, PanelId p);
void set_canvas_size(AppState& s, float css_w, float css_h, float dpr);
void set_ui_scale(AppState& s, float scale);

}  // namespace knobs
