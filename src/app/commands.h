// The one write path. Every change to the app is a typed Command (command.h), and apply() is the one
// function that carries it out: panels and shortcuts post commands, the page API's JSON commands and host
// messages are parsed into them (run_command), and links are applied through them. The rules that hold
// for every caller live here once: a locked setting is refused, a refused command changes nothing, and
// the edited pre-training settings are applied before Play.
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
    // A refusal: {ok: false, error: why}.
    static CommandResult refused(std::string why) { return {false, std::move(why)}; }
    // Keeps {false, "why"} working, without a missing-initializer warning for `data`.
    CommandResult(bool ok_, std::string error_, std::optional<std::string> data_ = std::nullopt)
        : ok(ok_), error(std::move(error_)), data(std::move(data_)) {}
};

// Carries out one command. Call it as knobs::apply: a Command is a std::variant, so an unqualified call
// would also find std::apply by argument-dependent lookup. A refused command ({ok: false, error}) leaves the state as it was, apart from
// the refusal's own message where a panel shows it.
CommandResult apply(AppState& s, const Command& c);

// `json` is an object {"cmd": "<name>", ...arguments}, parsed into a Command and applied. Unknown commands
// and bad arguments are refused with a message; the state is left as it was.
CommandResult run_command(AppState& s, const std::string& json);
std::string command_result_json(const CommandResult& r);

// A JSON snapshot of the state for the page API and tests (documented in docs/page-api.md).
std::string state_json(const AppState& s);

// The state changes apply() is made of, shared with the link code (url_state.cpp) and the tests.
void set_theme(AppState& s, Theme t);
bool set_language(AppState& s, const std::string& lang);
void open_panel(AppState& s, PanelId p);
void set_ui_scale(AppState& s, float scale);
// The platform's report of the canvas size and the device pixel ratio (not a learner's action).
void set_canvas_size(AppState& s, float css_w, float css_h, float dpr);
// "system", "reduce" or "full": the motion setting's name in commands, the state JSON and the page.
const char* motion_setting_key(MotionSetting m);
bool motion_setting_from_key(const std::string& key, MotionSetting* out);
// Bytes the learner opened (file picker, drag-and-drop, paste) or the page fetched (the shipped model).
// purpose: "weights", "text" or "shipped". Returns the error shown to the learner, or "" on success;
// on error nothing the learner had is replaced.
std::string open_bytes(AppState& s, std::span<const uint8_t> bytes, const std::string& name, const std::string& purpose);

}  // namespace knobs
