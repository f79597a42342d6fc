// libFuzzer target: the app's command surface (run_command), which the page API, the URL state and the
// UI's buttons all go through, on a headless AppState.
//
// This is also the host-message target: a host page's postMessage commands (load_preset, set_panel,
// set_lang, reset_progress) are checked for shape in the page glue (web/glue/), then come here as JSON.
//
// Headless: AppState, the Lab and the lesson state hold no ImGui objects, so no ImGui context is created
// (the panels, which do need one, are never drawn here). Each input is a script of up to kMaxCommands JSON
// commands, one per line, run on a fresh state, so every crash reproduces from its input alone.
//
// What it skips: the lab commands that compute rather than parse (kComputeCommands: a training step, text
// generation, a latency measurement) — under the sanitizers one of them costs as much as thousands of
// parsed commands, and their few arguments are checked or clamped in lab_commands.cpp before any work.
// Such a line is still parsed here; it is just not run.
//
// Invariants:
//   * no crash, no sanitizer report, no exception escapes;
//   * a refusal carries a message; the script's last command, if refused, leaves the state (state_json)
//     as it was — except three messages shown on purpose: the quiz's "select an option first" hint, which a
//     refused check raises, the fine-tune panel's error line, which a refused lab_finetune sets to the
//     refusal's own message (found by this fuzzer), and a notice saying a locked setting was refused (that
//     notice is then exactly the refusal's message);
//   * command_result_json and the final state_json are valid JSON in valid UTF-8, whatever bytes the
//     script put into the state (both come from JsonWriter; json::accept checks them without building a
//     tree). Event payloads are written without a crash: they come from nlohmann's serializer with invalid
//     UTF-8 replaced, which cannot write invalid JSON;
//   * saved lesson progress reads back as exactly the progress the app holds;
//   * a script run twice on fresh states ends in the same state (checked whenever it is replayed, below):
//     the determinism shared links rely on, for the commands that configure rather than compute.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/app.h"
#include "app/commands.h"
#include "core/utf8.h"
#include "fuzz_check.h"

using namespace knobs;
using nlohmann::json;

namespace {

constexpr size_t kMaxCommands = 16;
constexpr std::string_view kComputeCommands[] = {"lab_play", "lab_step", "lab_generate", "lab_measure_latency"};

bool computes(const json& command) {
    if (!command.is_object()) return false;
    const auto name = command.find("cmd");
    if (name == command.end() || !name->is_string()) return false;
    for (std::string_view c : kComputeCommands)
        if (name->get_ref<const std::string&>() == c) return true;
    return false;
}

// Loading the lesson parses both embedded content files, which costs far more than a command. The state
// ensure_lesson() produces (no platform hooks, hence no saved progress) is built once and copied into
// each fresh AppState: the same state, without re-parsing per input (the copies share the content).
const LessonState& loaded_lesson() {
    static const LessonState lesson = [] {
        AppState s;
        ensure_lesson(s);
        FUZZ_REQUIRE(s.lesson.error.empty() && s.notices.empty(), "the embedded lesson loads cleanly");
        return s.lesson;
    }();
    return lesson;
}

// Only a line that mentions "lab_" or holds a JSON escape (which could spell it) can name a command that
// computes; other lines are not parsed an extra time just to learn that.
bool may_compute(std::string_view line) {
    return line.find("lab_") != std::string_view::npos || line.find('\\') != std::string_view::npos;
}

json parse_or_die(const std::string& text, const char* what) {
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    FUZZ_REQUIRE(!j.is_discarded(), what);
    return j;
}

// Where state_json holds the messages a refused command shows on purpose: the quiz's "select an option
// first" hint, the fine-tune panel's error line (the panel's own button makes the same Lab call as
// lab_finetune, so the learner reads the reason there, whoever asked), and the notices (a locked setting's
// refusal is said on screen).
const json::json_pointer kQuizHint{"/lesson/quiz/needs_selection"};
const json::json_pointer kFinetuneError{"/lab/finetune/error"};
const json::json_pointer kNotices{"/notices"};
const json::json_pointer kNoticesDropped{"/notices_dropped"};

// The notices after AppState::notify(text) on `was` (a repeat moves up with its count; past kMaxNotices the
// oldest goes and is counted), as the page sees them.
std::pair<json, json> notices_after(const json& was, std::string text) {
    json list = was.at(kNotices);
    json dropped = was.at(kNoticesDropped);
    if (text.size() > kMaxNoticeBytes) text = text.substr(0, utf8_prefix_length(text, kMaxNoticeBytes - 3)) + "…";
    json entry = {{"text", text}, {"error", false}, {"repeats", 1}};
    for (auto it = list.begin(); it != list.end(); ++it)
        if ((*it)["text"] == text && (*it)["error"] == false) {
            entry["repeats"] = (*it)["repeats"].get<int>() + 1;
            list.erase(it);
            break;
        }
    list.push_back(entry);
    if (list.size() > kMaxNotices) {
        list.erase(list.begin());
        dropped = dropped.get<int>() + 1;
    }
    return {list, dropped};
}

std::string finetune_error(const json& state) {
    if (!state.contains(kFinetuneError) || !state.at(kFinetuneError).is_string()) return {};
    return state.at(kFinetuneError).get<std::string>();
}

// The state as the page sees it, minus those messages (the fine-tune line and the notices are checked on
// their own: each may only gain the refusal's own message).
json comparable_state(const json& state) {
    json j = state;
    for (const json::json_pointer& shown : {kQuizHint, kFinetuneError, kNotices, kNoticesDropped})
        if (j.contains(shown)) j[shown.parent_pointer()].erase(shown.back());
    return j;
}

void check_progress(const AppState& s, bool progress_saved, const std::string& saved_progress) {
    if (progress_saved) {
        const lesson::ProgressLoad back = lesson::parse_progress(saved_progress, &s.lesson.library->languages.front());
        FUZZ_REQUIRE(back.status == lesson::ProgressStatus::restored, "saved progress reads back");
        FUZZ_REQUIRE(back.dropped.empty(), "saved progress fits the lesson it came from");
        FUZZ_REQUIRE(back.progress == s.lesson.progress, "saved progress reads back unchanged");
    }
}

// A fresh state as the page starts, with the hooks the checks listen on.
struct Session {
    AppState s;
    std::string saved_progress;
    bool progress_saved = false;

    Session() {
        app_init(s);
        s.lesson = loaded_lesson();
        s.hooks.save_progress = [this](const std::string& text) {
            saved_progress = text;
            progress_saved = true;
        };
        s.hooks.emit = [](const std::string& name, const std::string&) { FUZZ_REQUIRE(!name.empty(), "events have names"); };
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Commands arrive over time (the quiz and the matching game keep clocks).
    void tick() { s.time_s += 1.5; }

    CommandResult run(const std::string& command) {
        CommandResult r = run_command(s, command);
        // What the page API hands back, written for every result.
        FUZZ_REQUIRE(json::accept(command_result_json(r)), "command_result_json is valid JSON");
        if (r.ok) FUZZ_REQUIRE(r.error.empty(), "an accepted command has no error");
        else FUZZ_REQUIRE(!r.error.empty(), "a refused command says why");
        return r;
    }
};

// run_command refuses a line that is not a JSON object with a "cmd" string before it looks at the state
// (its first lines), so only the other refusals need the state compared around them.
bool reaches_dispatch(const std::string& command) {
    const json j = json::parse(command, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return false;
    const auto name = j.find("cmd");
    return name != j.end() && name->is_string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The script's lines, at most kMaxCommands, without the ones that compute.
    const std::string_view script(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> commands;
    for (size_t start = 0; commands.size() < kMaxCommands && start <= script.size();) {
        size_t end = script.find('\n', start);
        if (end == std::string_view::npos) end = script.size();
        std::string command(script.substr(start, end - start));
        start = end + 1;
        if (!may_compute(command) || !computes(json::parse(command, nullptr, /*allow_exceptions=*/false)))
            commands.push_back(std::move(command));
    }

    Session first;
    CommandResult last;
    for (const std::string& command : commands) {
        first.tick();
        last = first.run(command);
    }
    const std::string after = state_json(first.s);
    FUZZ_REQUIRE(json::accept(after), "state_json is valid JSON");
    check_progress(first.s, first.progress_saved, first.saved_progress);

    // Snapshots cost more than everything else here, so the state is compared around the last command only
    // (the fuzzer cuts and splices scripts all the time, so every command it tries ends some script), and
    // only when that command was refused: the script runs again on a fresh state, which stops before the
    // last command for the snapshot. A run is a pure function of its script, so this replays the first.
    if (!commands.empty() && !last.ok && reaches_dispatch(commands.back())) {
        Session replay;
        for (size_t n = 0; n + 1 < commands.size(); ++n) {
            replay.tick();
            replay.run(commands[n]);
        }
        replay.tick();
        const std::string before = state_json(replay.s);
        const CommandResult refused = replay.run(commands.back());
        FUZZ_REQUIRE(!refused.ok, "the replayed script is refused the same way");
        const std::string replayed_after = state_json(replay.s);
        FUZZ_REQUIRE(replayed_after == after, "running a script twice gives the same state");
        if (replayed_after != before) {
            const json was = parse_or_die(before, "state_json is valid JSON"), is = parse_or_die(replayed_after, "state_json is valid JSON");
            FUZZ_REQUIRE(comparable_state(was) == comparable_state(is), "a refused command leaves the state as it was");
            const std::string shown = finetune_error(is);
            FUZZ_REQUIRE(shown == finetune_error(was) || shown == refused.error,
                         "the fine-tune panel shows the refusal's own message, if any");
            const auto [with_refusal, dropped_with_refusal] = notices_after(was, refused.error);
            const bool unchanged = is.at(kNotices) == was.at(kNotices) && is.at(kNoticesDropped) == was.at(kNoticesDropped);
            FUZZ_REQUIRE(unchanged || (is.at(kNotices) == with_refusal && is.at(kNoticesDropped) == dropped_with_refusal),
                         "a refused command's only notice, if any, is its own message");
        }
    }
    return 0;
}
