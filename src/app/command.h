// Every change to the app is one of these typed commands. Panels, keyboard shortcuts, the page API's JSON
// commands, host messages and links all produce them; one function, apply() in commands.h, changes the
// state. Panels post theirs (AppState::post) while they draw and the frame applies them after the UI, so
// drawing itself changes nothing the learner owns.
//
// Lesson commands name their questions, options and cards by content id (as the JSON API does), so a
// command means the same thing in every language and whatever the shuffle.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "app/lab.h"
#include "app/settings.h"
#include "app/view_types.h"
#include "lesson/content.h"

namespace knobs::cmd {

// ---- view ----
struct SetTheme { Theme theme; };
struct SetLanguage { std::string lang; };
struct OpenPanel { PanelId panel; };          // bring a panel to the front (a link, "show me", Help)
struct PanelShown { PanelId panel; };         // the learner picked this tab (the shell reports it)
struct SetMotion { MotionSetting motion; };
struct SetSystemMotion { bool reduce; };      // the browser's prefers-reduced-motion
struct SetPointer { bool coarse; };           // a touch screen: larger targets
struct SetUiScale { float scale; };
struct ToggleHelp {};
struct Notify { std::string text; bool error = false; };
// The page refused a file before reading it (too large): a notice, and the panel that takes such files
// shows it on its error line too. purpose: "weights" or "text".
struct FileRefused { std::string purpose, text; };
struct DismissNotices {};
struct LoadLink { std::string fragment; };
struct LoadPreset { std::string id; };
struct CopyLink {};                           // page URL + the current fragment to the clipboard
struct PickFile { std::string purpose; };     // "weights" or "text": the platform opens a file picker
// Bytes the learner opened (picker, drop, paste) or the page fetched for a link. `bytes` does not own
// them: the platform applies this command at once, while they are alive, and never posts it (a 10 MB
// text is not copied on its way in).
struct OpenFile { std::span<const uint8_t> bytes; std::string name, purpose; };

// ---- settings ----
struct SetSetting { std::string key; SettingValue value; };  // one row of the settings table (settings.h)
struct SetChartView { bool log_y; float smoothing; };
struct SetHeatmapView { bool grads; float zoom; };
struct SetCostAssumptions { double flops_per_s; double price_per_hour; };
struct SetFinetuneBase { ModelSource source; };
struct SetSaveSource { ModelSource source; };
struct SetChatInput { std::string text; };
struct SelectCandidate { int index; };        // which generated token's candidates are shown (-1: the latest)

// ---- pre-training ----
struct Play {};
struct Pause {};
struct StepOnce {};
struct ResetRun {};
struct RestoreLastGood {};
struct ConfirmSettingsReset { bool yes; };    // the answer to "this change starts a new run"
struct ExportLossCsv {};

// ---- inference ----
struct SetInferenceSource { ModelSource source; };
struct Generate {                             // unset fields take the panel's values
    std::optional<std::string> prompt;
    std::optional<long long> tokens;
    std::optional<long long> seed;
};
struct StopGeneration {};
struct ChatSend {};                           // sends the chat input
struct ChatClear {};

// ---- fine-tuning, weights, cost ----
struct StartFinetune {                        // unset fields take the panel's values
    std::optional<bool> lora;
    std::optional<long long> rank;
    std::optional<double> alpha;
    std::optional<long long> steps;
};
struct PauseFinetune {};
struct SaveWeights {};                        // downloads the model the weights panel shows
struct MeasureLatency {};

// ---- the lesson ----
struct QuizSelect { std::string question, option; };
struct QuizCheck { std::string question; };   // "" for the current question
struct QuizGoTo { std::string question; };
struct QuizShowSolution { std::string question; };
struct QuizFoldSolution { std::string question; bool folded; };
struct QuizRetryWrong {};
struct MatchTap { std::string card; };        // "term.<concept>" or "def.<concept>"
struct MatchFocus { std::string card; };     // keyboard focus on a card (the page API reports it)
struct MatchRetry {};
struct MatchNewRound {};
struct LifecycleSelect { std::string stage; };  // "" clears
struct ShowDemo { lesson::Demo demo; };
struct FaqToggle { std::string id; };
struct AskResetProgress { bool asking; };     // open or close "reset progress?"
struct ResetProgress {};
struct SyncProgress {};  // another tab saved the progress: take in what it recorded

}  // namespace knobs::cmd

namespace knobs {

using Command = std::variant<
    cmd::SetTheme, cmd::SetLanguage, cmd::OpenPanel, cmd::PanelShown, cmd::SetMotion, cmd::SetSystemMotion,
    cmd::SetPointer, cmd::SetUiScale, cmd::ToggleHelp, cmd::Notify, cmd::FileRefused, cmd::DismissNotices, cmd::LoadLink,
    cmd::LoadPreset, cmd::CopyLink, cmd::PickFile, cmd::OpenFile,
    cmd::SetSetting, cmd::SetChartView, cmd::SetHeatmapView, cmd::SetCostAssumptions, cmd::SetFinetuneBase,
    cmd::SetSaveSource, cmd::SetChatInput, cmd::SelectCandidate,
    cmd::Play, cmd::Pause, cmd::StepOnce, cmd::ResetRun, cmd::RestoreLastGood, cmd::ConfirmSettingsReset,
    cmd::ExportLossCsv,
    cmd::SetInferenceSource, cmd::Generate, cmd::StopGeneration, cmd::ChatSend, cmd::ChatClear,
    cmd::StartFinetune, cmd::PauseFinetune, cmd::SaveWeights, cmd::MeasureLatency,
    cmd::QuizSelect, cmd::QuizCheck, cmd::QuizGoTo, cmd::QuizShowSolution, cmd::QuizFoldSolution,
    cmd::QuizRetryWrong, cmd::MatchTap, cmd::MatchFocus, cmd::MatchRetry, cmd::MatchNewRound, cmd::LifecycleSelect, cmd::ShowDemo,
    cmd::FaqToggle, cmd::AskResetProgress, cmd::ResetProgress, cmd::SyncProgress>;

// A command parsed from the page API's JSON, or the sentence that refuses it.
using ParsedCommand = std::variant<Command, std::string>;

}  // namespace knobs
