// The lesson side of the app: the lesson content for every language, the matching game, the quiz and the
// learner's saved progress, plus the named actions the lesson panels, the command API and the tests share.
//
// Everything is keyed by content ids (stage, concept, question and option ids), never by text or screen
// position, so a language switch re-renders the same game and the same answers in the other language,
// and saved progress means the same thing in every language.
//
// Loading happens at start-up, in the first app_update() (not in app_init, so the platform can wire its
// hooks first), or on the first lesson command, whichever comes first: it loads the embedded content and
// asks PlatformHooks::load_progress for saved progress. Panels only read. Nothing here includes ImGui.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "app/command.h"
#include "app/json_writer.h"
#include "lesson/content.h"
#include "lesson/matching.h"
#include "lesson/progress.h"
#include "lesson/quiz.h"

namespace knobs {

struct AppState;
struct CommandResult;

struct LessonState {
    bool loaded = false;            // ensure_lesson() has run (whether or not the content was usable)
    // Every language that validated; languages[0] is the reference. Never changed in place: a new lesson
    // (an author's file) replaces the pointer. So copying a LessonState shares the content instead of
    // copying two languages of it, which was about 900 allocations per copy (the command fuzzer makes a
    // fresh state for every input).
    std::shared_ptr<const lesson::LessonLibrary> library = std::make_shared<const lesson::LessonLibrary>();
    std::string error;              // why the lesson cannot be shown, for the panels; empty when fine
    std::string author_file;        // the content= file last opened (valid or not); "" for the built-in lesson

    std::optional<lesson::MatchingGame> matching;
    std::optional<lesson::QuizSession> quiz;
    lesson::Progress progress;
    std::string progress_note;      // why saved progress was discarded or trimmed (English, for state_json)

    // ---- what the panels are showing ----
    int current_question = 0;                 // index into the quiz
    bool quiz_needs_selection = false;        // "check" was pressed with nothing selected
    std::set<std::string> solution_folded;    // question ids whose shown solution the learner folded away
    std::string selected_stage;               // lifecycle map: the stage being explained ("" for none)
    std::set<std::string> open_faq;           // FAQ entries unfolded
    bool confirm_reset = false;               // "reset progress?" is being asked

    // Lesson UI keys asked for but absent in the current language (tests assert this stays empty).
    // Mutable: looking a text up is a read, and this is a diagnostic record kept beside it (it also holds
    // the text shown for a missing key, so the pointer lesson_text returns stays valid).
    mutable std::set<std::string> missing_ui_keys;
};

// Seeds: fixed so that every learner (and every test) gets the same first quiz order and first round.
inline constexpr std::uint64_t kQuizSeed = 0x6b6e6f6273717a31ull;      // "knobsqz1"
inline constexpr std::uint64_t kMatchingSeed = 0x6b6e6f62736d6731ull;  // "knobsmg1"

// Loads content and saved progress on first use; later calls just return the state.
LessonState& ensure_lesson(AppState& s);
// The content in s.lang; nullptr before the lesson is loaded (app_update loads it at start) or when the
// language could not be loaded.
const lesson::Content* lesson_content(const AppState& s);
// A lesson UI string (content's "ui" object) in s.lang; falls back to the reference language and then to
// the key itself, recording the miss in missing_ui_keys.
const char* lesson_text(const AppState& s, std::string_view key);
// "42 s" / "1 min 5 s", in s.lang.
std::string lesson_duration_text(const AppState& s, double seconds);

// ---- "show me": the lab panel that demonstrates a piece of content ----
PanelId demo_panel(lesson::Demo demo);
// Opens that panel and puts it in the right mode (chat for the context-window demo, LoRA or full
// fine-tuning for the fine-tuning demos).
void show_demo(AppState& s, lesson::Demo demo);

// ---- quiz ----
bool lesson_quiz_go_to(AppState& s, int question);
// Selects (or, per the question's kind, toggles) an option of a question and makes it the current one.
bool lesson_quiz_select(AppState& s, int question, int option);
// Checks a question: emits "quiz_answered" (and "quiz_completed" when it was the last open one) through
// hooks.emit and saves progress.
lesson::CheckOutcome lesson_quiz_check(AppState& s, int question);
bool lesson_quiz_show_solution(AppState& s, int question);
int lesson_quiz_retry_wrong(AppState& s);  // returns how many questions were reopened

// ---- matching game ----
// Card ids are stable for the round whatever the language or shuffle: "term.<concept>" / "def.<concept>".
std::string match_card_id(const lesson::MatchingGame& game, int card);
int match_card_from_id(const lesson::MatchingGame& game, std::string_view id);  // -1 when unknown
// A tap (click, touch, Enter, or the match_tap command). Saves newly matched pairs and, on the last pair,
// records the round and emits "matching_completed".
lesson::TapOutcome lesson_match_tap(AppState& s, int card);
void lesson_match_retry(AppState& s);
void lesson_match_new_round(AppState& s);

// A course author's lesson file (content=, fetched by the platform from the page's own origin). It is
// checked exactly like the shipped files (docs/content.md). A valid file replaces the lesson on screen and
// starts its own quiz, game and saved progress; an invalid one changes nothing and the notice names the
// first problem. Returns "" on success, else the message.
std::string open_author_lesson(AppState& s, std::span<const std::uint8_t> bytes, const std::string& name);

// ---- progress ----
void save_lesson_progress(AppState& s);  // through hooks.save_progress, when set
void lesson_reset_progress(AppState& s);  // clears answers, matches and rounds, and saves the empty record

// ---- the lesson's half of the one write path (commands.h) ----
// Parses the page API's lesson commands: quiz_select, quiz_check, quiz_go_to, quiz_show_solution,
// quiz_retry_wrong, match_tap, match_retry, match_new_round, lifecycle_select, show_me, reset_progress.
// Returns false when `name` is not one of them.
bool parse_lesson_command(const std::string& name, const nlohmann::json& args, ParsedCommand& out);
CommandResult apply_command(AppState& s, const cmd::QuizSelect& c);
CommandResult apply_command(AppState& s, const cmd::QuizCheck& c);
CommandResult apply_command(AppState& s, const cmd::QuizGoTo& c);
CommandResult apply_command(AppState& s, const cmd::QuizShowSolution& c);
CommandResult apply_command(AppState& s, const cmd::QuizFoldSolution& c);
CommandResult apply_command(AppState& s, const cmd::QuizRetryWrong& c);
CommandResult apply_command(AppState& s, const cmd::MatchTap& c);
CommandResult apply_command(AppState& s, const cmd::MatchFocus& c);
CommandResult apply_command(AppState& s, const cmd::MatchRetry& c);
CommandResult apply_command(AppState& s, const cmd::MatchNewRound& c);
CommandResult apply_command(AppState& s, const cmd::LifecycleSelect& c);
CommandResult apply_command(AppState& s, const cmd::ShowDemo& c);
CommandResult apply_command(AppState& s, const cmd::FaqToggle& c);
CommandResult apply_command(AppState& s, const cmd::AskResetProgress& c);
CommandResult apply_command(AppState& s, const cmd::ResetProgress& c);
CommandResult apply_command(AppState& s, const cmd::SyncProgress& c);
// Writes the "lesson" value of state_json(): current question and its options, matching cards, scores, progress and
// the live measurements behind the comparison table.
void write_lesson_state(JsonWriter& w, const AppState& s);

}  // namespace knobs
