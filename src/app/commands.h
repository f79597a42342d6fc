// The explicit command surface of the app. The page API (window.knobs.command), the URL state and the
// UI's own buttons all go through here, so every action is testable headless.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "app/app_state.h"

namespace knobs {

struct CommandResult {
    bool ok = true;
    std::string error;                // a sentence for the user when !ok
    std::optional<std::string> data;  // a command's answer (e.g. "link" returns the fragment), emitted as "data"

    CommandResult() = default;
    // Keeps {false, "why"} working, without a missing-initializer warning for `data`.
    CommandResult(bool ok_, std::string error_, std::optional<std::string> data_ = std::nullopt)
        : ok(ok_), error(std::move(error_)), data(std::move(data_)) {}
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
// "system", "reduce" or "full": the motion setting's name in commands, the state JSON and the page.
const char* motion_setting_key(MotionSetting m);
bool motion_setting_from_key(const std::string& key, MotionSetting* out);
// Bytes the learner opened (file picker, drag-and-drop, paste) or the page fetched (the shipped model).
// purpose: "weights", "text" or "shipped". Returns the error shown to the learner, or "" on success;
// on error nothing the learner had is replaced.
std::string open_bytes(AppState& s, std::span<const uint8_t> bytes, const std::string& name, const std::string& purpose);

}  // namespace knobs
