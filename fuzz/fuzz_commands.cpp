// libFuzzer target: the app's command surface (run_command), which the page API, the URL state and the
// UI's buttons all go through, on a headless AppState.
//
// Headless: AppState, the Lab and the lesson state hold no ImGui objects, so no ImGui context is created
// (the panels, which do need one, are never drawn here). Each input is a script of up to kMaxCommands JSON
// commands, one per line, run on a fresh state, so every crash reproduces from its input alone.
//
// Invariants, after every command:
//   * no crash, no sanitizer report, no exception escapes;
//   * a refusal carries a message, and leaves the state (state_json) as it was — except the quiz's
//     "select an option first" hint, which a refused check raises on purpose;
//   * command_result_json and state_json are valid JSON, and every emitted event's payload too;
//   * saved lesson progress reads back as exactly the progress the app holds.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "app/app.h"
#include "app/commands.h"
#include "fuzz_check.h"

using namespace knobs;
using nlohmann::json;

namespace {

constexpr int kMaxCommands = 16;

// Loading the lesson parses both embedded content files, which costs far more than a command. The state
// ensure_lesson() produces (no platform hooks, hence no saved progress) is built once and copied into
// each fresh AppState: the same state, without re-parsing per input.
const LessonState& loaded_lesson() {
    static const LessonState lesson = [] {
        AppState s;
        ensure_lesson(s);
        FUZZ_REQUIRE(s.lesson.error.empty() && s.notices.empty(), "the embedded lesson loads cleanly");
        return s.lesson;
    }();
    return lesson;
}

json parse_or_die(const std::string& text, const char* what) {
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    FUZZ_REQUIRE(!j.is_discarded(), what);
    return j;
}

// The state as the page sees it, minus what a refused command may change on purpose.
json comparable_state(const std::string& state) {
    json j = parse_or_die(state, "state_json is valid JSON");
    if (j.contains("lesson") && j["lesson"].contains("quiz")) j["lesson"]["quiz"].erase("needs_selection");
    return j;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    AppState s;
    app_init(s);
    s.lesson = loaded_lesson();
    std::string saved_progress;
    bool progress_saved = false;
    s.hooks.save_progress = [&](const std::string& text) {
        saved_progress = text;
        progress_saved = true;
    };
    s.hooks.emit = [](const std::string& name, const std::string& payload) {
        FUZZ_REQUIRE(!name.empty(), "events have names");
        parse_or_die(payload, "event payloads are valid JSON");
    };

    const std::string_view script(reinterpret_cast<const char*>(data), size);
    size_t start = 0;
    for (int n = 0; n < kMaxCommands && start <= script.size(); ++n) {
        size_t end = script.find('\n', start);
        if (end == std::string_view::npos) end = script.size();
        const std::string command(script.substr(start, end - start));
        start = end + 1;

        s.time_s += 1.5;  // commands arrive over time (the quiz and the matching game keep clocks)
        // Snapshots are the costly part of a run: they are compared as text, and parsed only when a refusal
        // changed the text.
        const std::string before = state_json(s);
        const CommandResult r = run_command(s, command);
        parse_or_die(command_result_json(r), "command_result_json is valid JSON");
        const std::string after = state_json(s);
        if (!r.ok) {
            FUZZ_REQUIRE(!r.error.empty(), "a refused command says why");
            if (after != before)
                FUZZ_REQUIRE(comparable_state(before) == comparable_state(after), "a refused command leaves the state as it was");
        } else {
            FUZZ_REQUIRE(r.error.empty(), "an accepted command has no error");
        }
    }
    comparable_state(state_json(s));  // the final snapshot is valid JSON

    if (progress_saved) {
        const lesson::ProgressLoad back = lesson::parse_progress(saved_progress, &s.lesson.library.languages.front());
        FUZZ_REQUIRE(back.status == lesson::ProgressStatus::restored, "saved progress reads back");
        FUZZ_REQUIRE(back.dropped.empty(), "saved progress fits the lesson it came from");
        FUZZ_REQUIRE(back.progress == s.lesson.progress, "saved progress reads back unchanged");
    }
    return 0;
}
