#include "app/lesson_state.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "app/app_state.h"
#include "app/commands.h"
#include "app/i18n.h"
#include "core/checksum.h"

namespace knobs {

using nlohmann::json;
using lesson::Content;

namespace {

const Content* content_in(const LessonState& L, const std::string& lang) {
    if (L.library->languages.empty()) return nullptr;
    if (const Content* c = L.library->find(lang)) return c;
    return &L.library->languages.front();
}

const Content* reference_content(const LessonState& L) {
    return L.library->languages.empty() ? nullptr : &L.library->languages.front();
}

void emit(AppState& s, const char* name, const json& payload) {
    if (s.hooks.emit) s.hooks.emit(name, payload.dump(-1, ' ', false, json::error_handler_t::replace));
}

// ISO 8601 duration as xAPI writes it ("PT41.25S"); seconds are not folded into minutes, which ISO allows.
std::string iso_duration(double seconds) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "PT%.2fS", std::max(0.0, seconds));
    return buf;
}

// The seed of the matching game: a returning learner starts on a different draw than last time, and the
// same saved progress always gives the same draw.
std::uint64_t matching_seed(const lesson::Progress& p) {
    return kMatchingSeed + static_cast<std::uint64_t>(std::max(0, p.rounds_completed()));
}

lesson::TimeMs progress_clock_ms(const AppState& s) {
    if (s.hooks.wall_clock_ms) return s.hooks.wall_clock_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The session as a fresh visit would have it (the record itself is the caller's business).
void clear_lesson_session(LessonState& L) {
    if (L.quiz) L.quiz->reset();
    if (L.matching) L.matching->retry();  // the pairs matched in this attempt were part of the progress
    L.current_question = 0;
    L.quiz_needs_selection = false;
    L.solution_folded.clear();
    L.confirm_reset = false;
}

std::string fill(const char* text, std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
    return lesson::fill_placeholders(text, std::span(values.begin(), values.size()));
}

// Sentences joined by single spaces (appended piece by piece: GCC 12 warns falsely about `" " + string`).
class Words {
public:
    Words& add(std::string_view part) {
        if (part.empty()) return *this;
        if (!text_.empty()) text_ += ' ';
        text_.append(part);
        return *this;
    }
    std::string take() { return std::move(text_); }

private:
    std::string text_;
};

// What a screen reader hears after a check (s.announce): the verdict, what the chosen options' feedback
// says, how many right answers were missed, the score and, at the end, the quiz's result. The same words
// the panel shows, in the learner's language.
std::string quiz_check_words(AppState& s, int q, const lesson::CheckOutcome& out) {
    LessonState& L = s.lesson;
    const lesson::QuizSession& quiz = *L.quiz;
    const bool right = quiz.is_correct(q);
    Words words;
    words.add(right ? "✓" : "✗");
    words.add(std::string(lesson_text(s, right ? "label_correct" : "label_wrong")).append("."));
    if (const Content* c = content_in(L, s.lang)) {
        if (const lesson::QuizQuestion* question = c->find_question(quiz.question_id(q))) {
            for (int o = 0; o < static_cast<int>(question->options.size()); ++o)
                if (quiz.is_selected(q, o)) words.add(question->options[static_cast<std::size_t>(o)].feedback);
        }
    }
    if (!right && quiz.missed_count(q) > 0) words.add(fill(tr(s.lang, "lesson.quiz_missed"), {{"n", std::to_string(quiz.missed_count(q))}}));
    const std::string raw = std::to_string(quiz.score_raw()), max = std::to_string(quiz.score_max());
    words.add(std::string(lesson_text(s, "label_score")).append(": ").append(raw).append(" / ").append(max).append("."));
    if (out.completed) {
        words.add(fill(lesson_text(s, "quiz_complete"), {{"score", raw}, {"max", max}}));
        words.add(lesson_text(s, out.completed->success ? "quiz_passed" : "quiz_not_passed"));
    }
    return words.take();
}

// After a guess in the matching game: the pair and the count, or "not a pair" and the mistakes, or the round's result.
std::string match_tap_words(AppState& s, const lesson::TapOutcome& out, int card) {
    LessonState& L = s.lesson;
    const lesson::MatchingGame& game = *L.matching;
    Words words;
    if (out.completed) {
        const lesson::MatchingCompleted& c = *out.completed;
        const std::string max = std::to_string(c.max), score = std::to_string(c.score), mistakes = std::to_string(c.mistakes);
        const std::string time = lesson_duration_text(s, c.duration_s);
        return words.add("✓").add(fill(lesson_text(s, "matching_complete"), {{"max", max}, {"time", time}, {"score", score}, {"mistakes", mistakes}})).take();
    }
    if (out.result == lesson::TapResult::wrong) {
        words.add("✗").add(lesson_text(s, "matching_wrong"));
    } else {
        words.add("✓").add(lesson_text(s, "matching_right"));
        if (const Content* c = content_in(L, s.lang))
            if (const lesson::Concept* pair_concept = c->find_concept(game.pair_id(game.card(card).pair)))
                words.add(pair_concept->term + ": " + pair_concept->definition);
    }
    words.add(std::string(lesson_text(s, "label_matched")).append(" ").append(std::to_string(game.matched_pairs())).append("/").append(std::to_string(game.pair_count())).append(","));
    words.add(std::string(lesson_text(s, "label_mistakes")).append(" ").append(std::to_string(game.mistakes())).append("."));
    return words.take();
}

void load_saved_progress(AppState& s, LessonState& L, const Content& reference) {
    if (!s.hooks.load_progress) return;
    const std::string text = s.hooks.load_progress();
    lesson::ProgressLoad load = lesson::parse_progress(text, &reference);
    switch (load.status) {
        case lesson::ProgressStatus::fresh:
            return;
        case lesson::ProgressStatus::discarded:
            L.progress_note = load.reason;
            s.notify(lesson_text(s, "progress_discarded"), /*is_error=*/true);
            // The notice says the data "was cleared": overwrite it so the next visit starts clean.
            save_lesson_progress(s);
            return;
        case lesson::ProgressStatus::restored:
            L.progress = std::move(load.progress);
            for (const auto& why : load.dropped) L.progress_note += (L.progress_note.empty() ? "" : "; ") + why;
            if (L.quiz) lesson::restore_quiz(*L.quiz, L.progress);
            if (!L.progress.empty()) s.notify(lesson_text(s, "progress_restored"));
            if (!load.dropped.empty()) save_lesson_progress(s);  // store the trimmed record
            return;
    }
}

// Lets the learner continue where they stopped: the first question not answered yet.
int first_open_question(const lesson::QuizSession& quiz) {
    for (int q = 0; q < quiz.question_count(); ++q)
        if (!quiz.is_checked(q)) return q;
    return 0;
}

const char* feedback_key(lesson::OptionFeedback f) {
    switch (f) {
        case lesson::OptionFeedback::correct: return "correct";
        case lesson::OptionFeedback::incorrect: return "incorrect";
        case lesson::OptionFeedback::missed: return "missed";
        case lesson::OptionFeedback::none: break;
    }
    return "none";
}

void write_ledger(JsonWriter& w, const ActivityLedger& a, bool active) {
    // The lab marks pre-training "started" as soon as a run has fresh weights; it has run once it spent work.
    const bool ran = a.started && (a.flops > 0 || a.tokens > 0);
    const bool after_known = ran && a.checksum_after != 0;
    w.begin_object();
    w.field("run", ran).field("active", active).field("flops", a.flops).field("seconds", a.seconds).field("tokens", a.tokens);
    w.field("checksum_before", ran ? checksum_hex(a.checksum_before) : std::string());
    w.field("checksum_after", after_known ? checksum_hex(a.checksum_after) : std::string());
    w.key("changed");
    if (after_known) w.value(a.checksum_before != a.checksum_after);
    else w.value(nullptr);
    w.end_object();
}

bool string_arg(const json& args, const char* key, std::string* out) {
    const auto it = args.find(key);
    if (it == args.end() || !it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
}

}  // namespace

LessonState& ensure_lesson(AppState& s) {
    LessonState& L = s.lesson;
    if (L.loaded) return L;
    L.loaded = true;
    L.library = std::make_shared<const lesson::LessonLibrary>(lesson::load_embedded_content());
    if (L.library->languages.empty()) {
        L.error = L.library->errors.empty() ? "no lesson content" : L.library->errors.front().to_string();
        s.notify(L.error, /*is_error=*/true);
        return L;
    }
    // A translation that failed validation is left out; the reference language still works.
    if (!L.library->errors.empty()) s.notify(L.library->errors.front().to_string(), /*is_error=*/true);

    const Content& reference = L.library->languages.front();
    if (auto quiz = lesson::QuizSession::create(reference.quiz, kQuizSeed)) L.quiz = std::move(*quiz.value);
    else L.error = quiz.error;
    load_saved_progress(s, L, reference);
    if (auto game = lesson::MatchingGame::create(reference.concept_ids(), matching_seed(L.progress))) L.matching = std::move(*game.value);
    else L.error = game.error;
    if (L.quiz) L.current_question = first_open_question(*L.quiz);
    return L;
}

const Content* lesson_content(const AppState& s) { return content_in(s.lesson, s.lang); }

const char* lesson_text(const AppState& s, std::string_view key) {
    const LessonState& L = s.lesson;  // not ensure_lesson(): the loader itself asks for notice texts
    for (const Content* c : {content_in(L, s.lang), reference_content(L)}) {
        if (!c) continue;
        if (auto it = c->ui.find(key); it != c->ui.end()) {
            if (c != content_in(L, s.lang)) L.missing_ui_keys.insert(s.lang + ":" + std::string(key));
            return it->second.c_str();
        }
    }
    // Visible on screen and caught by the tests, never a crash. Set nodes are stable, so the pointer lives on.
    L.missing_ui_keys.insert(s.lang + ":" + std::string(key));
    return L.missing_ui_keys.find(s.lang + ":" + std::string(key))->c_str() + s.lang.size() + 1;
}

std::string lesson_duration_text(const AppState& s, double seconds) {
    const long total = std::lround(std::max(0.0, std::isfinite(seconds) ? seconds : 0.0));
    const std::string sec = std::to_string(total % 60), min = std::to_string(total / 60);
    if (total < 60) {
        const std::pair<std::string_view, std::string_view> v[] = {{"s", sec}};
        return lesson::fill_placeholders(lesson_text(s, "time_seconds"), v);
    }
    const std::pair<std::string_view, std::string_view> v[] = {{"m", min}, {"s", sec}};
    return lesson::fill_placeholders(lesson_text(s, "time_minutes_seconds"), v);
}

PanelId demo_panel(lesson::Demo demo) {
    using lesson::Demo;
    switch (demo) {
        case Demo::pretrain: return PanelId::pretrain;
        case Demo::knobs:
        case Demo::step_anatomy: return PanelId::knobs;
        case Demo::inference:
        case Demo::chat_context:
        case Demo::temperature: return PanelId::inference;
        case Demo::finetune:
        case Demo::lora: return PanelId::finetune;
        case Demo::weights_file: return PanelId::weights;
        case Demo::cost_latency: return PanelId::cost;
        case Demo::count: break;
    }
    return PanelId::about;
}

void show_demo(AppState& s, lesson::Demo demo) {
    using lesson::Demo;
    // The mode matters as much as the panel: the context-window demo is the chat view, and the two
    // fine-tuning demos differ only in the method.
    if (demo == Demo::chat_context) s.lab_ui.chat = true;
    if (demo == Demo::inference) s.lab_ui.chat = false;  // the before/after checksum view
    if (demo == Demo::finetune) s.lab_ui.ft_lora = false;
    if (demo == Demo::lora) s.lab_ui.ft_lora = true;
    open_panel(s, demo_panel(demo));
}

// ---- quiz ----

bool lesson_quiz_go_to(AppState& s, int question) {
    LessonState& L = ensure_lesson(s);
    if (!L.quiz || question < 0 || question >= L.quiz->question_count()) return false;
    if (question != L.current_question) L.quiz_needs_selection = false;
    L.current_question = question;
    return true;
}

bool lesson_quiz_select(AppState& s, int question, int option) {
    LessonState& L = ensure_lesson(s);
    if (!L.quiz || !L.quiz->select(question, option, s.time_s)) return false;
    L.current_question = question;
    L.quiz_needs_selection = false;
    return true;
}

lesson::CheckOutcome lesson_quiz_check(AppState& s, int question) {
    LessonState& L = ensure_lesson(s);
    if (!L.quiz) return {};
    lesson::CheckOutcome out = L.quiz->check(question, s.time_s);
    L.quiz_needs_selection = out.status == lesson::CheckStatus::nothing_selected;
    if (L.quiz_needs_selection) s.announce(lesson_text(s, "quiz_select_first"));
    if (out.status != lesson::CheckStatus::checked) return out;
    s.announce(quiz_check_words(s, question, out));

    lesson::record_quiz(L.progress, *L.quiz, progress_clock_ms(s));
    save_lesson_progress(s);
    const lesson::QuizAnswered& a = *out.answered;
    emit(s, "quiz_answered",
         json{{"question", a.question_id}, {"correct", a.correct}, {"selected", a.selected_ids},
              {"attempt", L.quiz->attempts(question)}});
    if (out.completed) {
        const lesson::QuizCompleted& c = *out.completed;
        // xAPI's "result" shape: score {raw, min, max, scaled}, success, completion, ISO 8601 duration.
        emit(s, "quiz_completed",
             json{{"score", {{"raw", c.score_raw}, {"min", 0}, {"max", c.score_max}, {"scaled", c.score_scaled}}},
                  {"success", c.success},
                  {"completion", true},
                  {"duration", iso_duration(c.duration_s)},
                  {"duration_s", c.duration_s}});
    }
    return out;
}

bool lesson_quiz_show_solution(AppState& s, int question) {
    LessonState& L = ensure_lesson(s);
    if (!L.quiz || !L.quiz->show_solution(question)) return false;
    L.solution_folded.erase(L.quiz->question_id(question));
    lesson::record_quiz(L.progress, *L.quiz, progress_clock_ms(s));
    save_lesson_progress(s);
    return true;
}

int lesson_quiz_retry_wrong(AppState& s) {
    LessonState& L = ensure_lesson(s);
    if (!L.quiz) return 0;
    const std::vector<int> wrong = L.quiz->wrong_questions();
    const int reopened = L.quiz->retry_wrong();
    if (reopened > 0) {
        L.current_question = wrong.front();
        L.quiz_needs_selection = false;
    }
    return reopened;
}

// ---- matching ----

std::string match_card_id(const lesson::MatchingGame& game, int card) {
    if (card < 0 || card >= game.card_count()) return {};
    const lesson::MatchCard c = game.card(card);
    return std::string(c.side == lesson::MatchSide::term ? "term." : "def.") + game.pair_id(c.pair);
}

int match_card_from_id(const lesson::MatchingGame& game, std::string_view id) {
    for (int i = 0; i < game.card_count(); ++i)
        if (match_card_id(game, i) == id) return i;
    return -1;
}

lesson::TapOutcome lesson_match_tap(AppState& s, int card) {
    LessonState& L = ensure_lesson(s);
    if (!L.matching) return {};
    lesson::TapOutcome out = L.matching->tap(card, s.time_s);
    if (out.result == lesson::TapResult::matched || out.result == lesson::TapResult::wrong) s.announce(match_tap_words(s, out, card));
    if (out.result != lesson::TapResult::matched) return out;
    lesson::record_matched_pairs(L.progress, *L.matching, progress_clock_ms(s));
    if (out.completed) {
        const lesson::MatchingCompleted& c = *out.completed;
        lesson::record_round_completed(L.progress, c, progress_clock_ms(s));
        emit(s, "matching_completed",
             json{{"score", c.score},
                  {"max", c.max},
                  {"mistakes", c.mistakes},
                  {"duration", iso_duration(c.duration_s)},
                  {"duration_s", c.duration_s},
                  {"round", L.matching->round_number()},
                  {"attempt", L.matching->attempt()}});
    }
    save_lesson_progress(s);
    return out;
}

void lesson_match_retry(AppState& s) {
    if (LessonState& L = ensure_lesson(s); L.matching) L.matching->retry();
}

void lesson_match_new_round(AppState& s) {
    if (LessonState& L = ensure_lesson(s); L.matching) L.matching->new_round();
}

// ---- progress ----

// Another tab of the same lesson may have saved since this one last read the record: merge it in, so that
// tab's answers show here and the next save keeps them. Returns whether anything changed.
bool merge_stored_progress(AppState& s, LessonState& L) {
    if (!s.hooks.load_progress || !L.library || L.library->languages.empty()) return false;
    const lesson::ProgressLoad load = lesson::parse_progress(s.hooks.load_progress(), &L.library->languages.front());
    if (load.status != lesson::ProgressStatus::restored) return false;  // nothing stored, or unusable: ours replaces it
    lesson::Progress merged = lesson::merge_progress(L.progress, load.progress);
    if (merged == L.progress) return false;
    // The other tab reset the progress: start this tab's session over too, then put back what survived.
    const bool was_reset = merged.reset_ms > L.progress.reset_ms;
    if (was_reset) clear_lesson_session(L);
    if (L.quiz)
        for (const auto& [id, record] : merged.quiz) {
            const auto held = L.progress.quiz.find(id);
            if (was_reset || held == L.progress.quiz.end() || !held->second.same_answer(record))
                L.quiz->restore_answer(id, record.selected, record.attempts, record.solution_shown);
        }
    L.progress = std::move(merged);
    return true;
}

void save_lesson_progress(AppState& s) {
    if (!s.hooks.save_progress) return;
    merge_stored_progress(s, s.lesson);
    s.hooks.save_progress(lesson::serialize_progress(s.lesson.progress));
}

void lesson_reset_progress(AppState& s) {
    LessonState& L = ensure_lesson(s);
    lesson::reset_progress(L.progress, progress_clock_ms(s));
    clear_lesson_session(L);
    L.progress_note.clear();
    save_lesson_progress(s);
}

// ---- a course author's lesson ----

std::string open_author_lesson(AppState& s, std::span<const std::uint8_t> bytes, const std::string& name) {
    LessonState& L = ensure_lesson(s);
    L.author_file = name;  // tried once per link, valid or not: the platform does not fetch it again
    auto refuse = [&](const std::string& why) {
        s.notify(name + ": " + why, /*is_error=*/true);
        return why;
    };
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    lesson::ContentLoad load = lesson::parse_content(text, name);
    if (!load.ok()) {
        const size_t more = load.errors.empty() ? 0 : load.errors.size() - 1;
        std::string why = load.errors.empty() ? "not a lesson file" : load.errors.front().to_string();
        if (more > 0) why += " (and " + std::to_string(more) + " more problem" + (more == 1 ? "" : "s") + ")";
        return refuse(tr(s.lang, "notice.lesson_refused") + std::string(" ") + why);
    }
    Content& content = *load.content;
    auto quiz = lesson::QuizSession::create(content.quiz, kQuizSeed);
    if (!quiz) return refuse(tr(s.lang, "notice.lesson_refused") + std::string(" ") + quiz.error);

    // Lesson UI strings the author left out ("Check", "Retry"...) come from the built-in lesson in the
    // author's language if there is one, else in the language on screen.
    const std::string ui_lang = is_supported_language(content.language_code) ? content.language_code : s.lang;
    if (const Content* builtin = content_in(L, ui_lang))
        for (const auto& [key, value] : builtin->ui) content.ui.try_emplace(key, value);

    // From here on the author's lesson replaces the built-in one; saved progress is the platform's record
    // for this file (the built-in lesson's record is left alone).
    auto library = std::make_shared<lesson::LessonLibrary>();
    library->languages.push_back(std::move(content));
    L.library = std::move(library);
    L.error.clear();
    const Content& lessonContent = L.library->languages.front();
    if (is_supported_language(lessonContent.language_code)) s.lang = lessonContent.language_code;
    L.quiz = std::move(*quiz.value);
    L.progress = {};
    L.progress_note.clear();
    L.current_question = 0;
    L.quiz_needs_selection = false;
    L.solution_folded.clear();
    L.selected_stage.clear();
    L.open_faq.clear();
    L.confirm_reset = false;
    load_saved_progress(s, L, lessonContent);
    L.matching.reset();
    if (auto game = lesson::MatchingGame::create(lessonContent.concept_ids(), matching_seed(L.progress))) L.matching = std::move(*game.value);
    else L.error = game.error;
    if (L.quiz) L.current_question = first_open_question(*L.quiz);
    s.notify(name + ": " + tr(s.lang, "notice.opened_lesson"));
    return {};
}

// ---- commands ----

bool parse_lesson_command(const std::string& name, const json& args, ParsedCommand& out) {
    std::string id, option;
    // "question" may be left out where the current question is meant; when given it must be a string.
    auto question = [&](std::string* q) {
        const auto it = args.find("question");
        if (it == args.end()) return true;
        if (!it->is_string()) return false;
        *q = it->get<std::string>();
        return true;
    };
    if (name == "quiz_select") {
        if (!string_arg(args, "question", &id) || !string_arg(args, "option", &option))
            out = std::string("quiz_select needs \"question\" and \"option\" id strings");
        else out = cmd::QuizSelect{id, option};
    } else if (name == "quiz_check") {
        if (question(&id)) out = cmd::QuizCheck{id};
        else out = std::string("\"question\" must be a question id string");
    } else if (name == "quiz_go_to") {
        if (args.find("question") == args.end()) out = std::string("quiz_go_to needs a \"question\" id");
        else if (question(&id)) out = cmd::QuizGoTo{id};
        else out = std::string("\"question\" must be a question id string");
    } else if (name == "quiz_show_solution") {
        if (question(&id)) out = cmd::QuizShowSolution{id};
        else out = std::string("\"question\" must be a question id string");
    } else if (name == "quiz_retry_wrong") {
        out = cmd::QuizRetryWrong{};
    } else if (name == "match_tap") {
        if (!string_arg(args, "id", &id))
            out = std::string("match_tap needs a card \"id\" such as \"term.c-lora\" or \"def.c-lora\"");
        else out = cmd::MatchTap{id};
    } else if (name == "match_retry") {
        out = cmd::MatchRetry{};
    } else if (name == "match_new_round") {
        out = cmd::MatchNewRound{};
    } else if (name == "lifecycle_select") {
        if (!string_arg(args, "stage", &id)) out = std::string("lifecycle_select needs a \"stage\" id (\"\" to clear)");
        else out = cmd::LifecycleSelect{id};
    } else if (name == "show_me") {
        const auto demo = string_arg(args, "demo", &id) ? lesson::demo_from_id(id) : std::nullopt;
        if (!demo) out = std::string("show_me needs a known \"demo\" id such as \"lora\" or \"chat_context\"");
        else out = cmd::ShowDemo{*demo};
    } else if (name == "reset_progress") {
        out = cmd::ResetProgress{};
    } else {
        return false;
    }
    return true;
}

namespace {
// The lesson a quiz or matching command needs, loaded; or why it cannot run.
std::string lesson_ready(AppState& s, bool quiz, bool matching) {
    LessonState& L = ensure_lesson(s);
    if ((quiz && !L.quiz) || (matching && !L.matching) || L.library->languages.empty())
        return "the lesson could not be loaded: " + L.error;
    return {};
}

// The card of this round a command names, or -1 with the refusal in *why.
int named_card(AppState& s, const std::string& id, std::string* why) {
    if (std::string e = lesson_ready(s, false, true); !e.empty()) {
        *why = e;
        return -1;
    }
    const int card = match_card_from_id(*s.lesson.matching, id);
    if (card < 0) *why = "no card \"" + id + "\" in this round";
    return card;
}

// The question a command names, or the current one for "".
bool find_question(const LessonState& L, const std::string& id, int* q, CommandResult& result) {
    if (id.empty()) {
        *q = L.current_question;
        return true;
    }
    *q = L.quiz->find(id);
    if (*q < 0) {
        result = CommandResult::refused("unknown quiz question \"" + id + "\"");
        return false;
    }
    return true;
}
}  // namespace

CommandResult apply_command(AppState& s, const cmd::QuizSelect& c) {
    if (auto e = lesson_ready(s, true, false); !e.empty()) return CommandResult::refused(e);
    LessonState& L = s.lesson;
    const int q = L.quiz->find(c.question);
    if (q < 0) return CommandResult::refused("unknown quiz question \"" + c.question + "\"");
    const int o = L.quiz->find_option(q, c.option);
    if (o < 0) return CommandResult::refused("question \"" + c.question + "\" has no option \"" + c.option + "\"");
    if (L.quiz->is_checked(q))
        return CommandResult::refused("question \"" + c.question + "\" is already checked; use quiz_retry_wrong to reopen it");
    lesson_quiz_select(s, q, o);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::QuizCheck& c) {
    if (auto e = lesson_ready(s, true, false); !e.empty()) return CommandResult::refused(e);
    CommandResult result;
    int q = 0;
    if (!find_question(s.lesson, c.question, &q, result)) return result;
    const lesson::CheckOutcome out = lesson_quiz_check(s, q);
    if (out.status == lesson::CheckStatus::nothing_selected) return CommandResult::refused("select an option before checking");
    if (out.status == lesson::CheckStatus::already_checked) return CommandResult::refused("this question is already checked");
    if (out.status != lesson::CheckStatus::checked) return CommandResult::refused("no such question");
    return {};
}
CommandResult apply_command(AppState& s, const cmd::QuizGoTo& c) {
    if (auto e = lesson_ready(s, true, false); !e.empty()) return CommandResult::refused(e);
    CommandResult result;
    int q = 0;
    if (find_question(s.lesson, c.question, &q, result)) lesson_quiz_go_to(s, q);
    return result;
}
CommandResult apply_command(AppState& s, const cmd::QuizShowSolution& c) {
    if (auto e = lesson_ready(s, true, false); !e.empty()) return CommandResult::refused(e);
    CommandResult result;
    int q = 0;
    if (find_question(s.lesson, c.question, &q, result) && !lesson_quiz_show_solution(s, q))
        return CommandResult::refused("answer the question before showing its solution");
    return result;
}
CommandResult apply_command(AppState& s, const cmd::QuizFoldSolution& c) {
    if (auto e = lesson_ready(s, true, false); !e.empty()) return CommandResult::refused(e);
    if (s.lesson.quiz->find(c.question) < 0) return CommandResult::refused("unknown quiz question \"" + c.question + "\"");
    if (c.folded) s.lesson.solution_folded.insert(c.question);
    else s.lesson.solution_folded.erase(c.question);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::QuizRetryWrong&) {
    if (auto e = lesson_ready(s, true, false); !e.empty()) return CommandResult::refused(e);
    lesson_quiz_retry_wrong(s);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::MatchTap& c) {
    std::string why;
    const int card = named_card(s, c.card, &why);
    if (card < 0) return CommandResult::refused(why);
    if (lesson_match_tap(s, card).result == lesson::TapResult::ignored)
        return CommandResult::refused("card \"" + c.card + "\" is already matched or the round is over");
    return {};
}
CommandResult apply_command(AppState& s, const cmd::MatchFocus& c) {
    std::string why;
    const int card = named_card(s, c.card, &why);
    if (card < 0) return CommandResult::refused(why);
    s.lesson.matching->set_focus(card);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::MatchRetry&) {
    if (auto e = lesson_ready(s, false, true); !e.empty()) return CommandResult::refused(e);
    lesson_match_retry(s);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::MatchNewRound&) {
    if (auto e = lesson_ready(s, false, true); !e.empty()) return CommandResult::refused(e);
    lesson_match_new_round(s);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::LifecycleSelect& c) {
    if (auto e = lesson_ready(s, false, false); !e.empty()) return CommandResult::refused(e);
    if (!c.stage.empty() && !reference_content(s.lesson)->find_stage(c.stage))
        return CommandResult::refused("unknown stage \"" + c.stage + "\"");
    s.lesson.selected_stage = c.stage;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::ShowDemo& c) {
    if (auto e = lesson_ready(s, false, false); !e.empty()) return CommandResult::refused(e);
    show_demo(s, c.demo);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::FaqToggle& c) {
    if (auto e = lesson_ready(s, false, false); !e.empty()) return CommandResult::refused(e);
    if (c.id.empty() || c.id.size() > 200) return CommandResult::refused("faq_toggle needs an entry \"id\"");
    if (!s.lesson.open_faq.erase(c.id)) s.lesson.open_faq.insert(c.id);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::AskResetProgress& c) {
    s.lesson.confirm_reset = c.asking;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::ResetProgress&) {
    if (auto e = lesson_ready(s, false, false); !e.empty()) return CommandResult::refused(e);
    lesson_reset_progress(s);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SyncProgress&) {
    // Before the lesson is loaded there is nothing to merge into: loading reads the stored record anyway.
    if (s.lesson.loaded) merge_stored_progress(s, s.lesson);
    return {};
}

void write_lesson_state(JsonWriter& w, const AppState& s) {
    const LessonState& L = s.lesson;
    w.begin_object();
    w.field("loaded", L.loaded);
    if (!L.loaded) {
        w.end_object();
        return;
    }
    w.field("error", L.error);
    const Content* content = content_in(L, s.lang);
    w.field("lang", content ? std::string_view(content->language_code) : std::string_view());
    w.field("title", content ? std::string_view(content->title) : std::string_view());
    w.field("author_file", L.author_file);  // the content= file tried last; "" for the built-in lesson
    w.field("stage", L.selected_stage);

    if (L.quiz && content) {
        const lesson::QuizSession& quiz = *L.quiz;
        const int q = L.current_question;
        const lesson::QuizQuestion* text = content->find_question(quiz.question_id(q));
        w.key("quiz").begin_object();
        w.field("current", quiz.question_id(q)).field("index", q).field("count", quiz.question_count());
        w.field("kind", quiz.kind(q) == lesson::QuestionKind::single ? "single" : "multiple");
        w.field("prompt", text ? std::string_view(text->prompt) : std::string_view());
        w.field("checked", quiz.is_checked(q)).field("correct", quiz.is_correct(q));
        w.field("attempts", quiz.attempts(q)).field("missed", quiz.missed_count(q));
        w.field("can_show_solution", quiz.can_show_solution(q)).field("solution_shown", quiz.solution_shown(q));
        w.field("needs_selection", L.quiz_needs_selection);
        w.key("options").begin_array();
        for (const int o : quiz.option_order(q)) {
            const bool has_text = text && o < static_cast<int>(text->options.size());
            w.begin_object();
            w.field("id", quiz.option_id(q, o));
            w.field("text", has_text ? std::string_view(text->options[static_cast<std::size_t>(o)].text) : std::string_view());
            w.field("selected", quiz.is_selected(q, o)).field("feedback", feedback_key(quiz.feedback(q, o)));
            w.end_object();
        }
        w.end_array();
        w.key("questions").begin_array();
        for (int i = 0; i < quiz.question_count(); ++i) {
            w.begin_object();
            w.field("id", quiz.question_id(i)).field("checked", quiz.is_checked(i)).field("correct", quiz.is_correct(i));
            w.end_object();
        }
        w.end_array();
        w.key("score").begin_object();
        w.field("raw", quiz.score_raw()).field("max", quiz.score_max()).field("scaled", quiz.score_scaled());
        w.end_object();
        w.field("all_checked", quiz.all_checked()).field("success", quiz.all_checked() && quiz.success());
        w.key("wrong").begin_array();
        for (const int wrong : quiz.wrong_questions()) w.value(quiz.question_id(wrong));
        w.end_array();
        w.end_object();
    }

    if (L.matching && content) {
        const lesson::MatchingGame& g = *L.matching;
        w.key("matching").begin_object();
        w.field("round", g.round_number()).field("attempt", g.attempt()).field("pairs", g.pair_count());
        w.field("matched", g.matched_pairs()).field("score", g.score()).field("max", g.max_score());
        w.field("mistakes", g.mistakes()).field("complete", g.complete()).field("elapsed_s", g.elapsed_s(s.time_s));
        w.key("selected");
        if (g.selected()) w.value(match_card_id(g, *g.selected()));
        else w.value(nullptr);
        w.field("focused", match_card_id(g, g.focused()));
        const lesson::MatchFeedback& fb = g.last_feedback();
        w.field("feedback", fb.result == lesson::TapResult::matched ? "matched" : fb.result == lesson::TapResult::wrong ? "wrong" : "none");
        w.key("cards").begin_array();
        for (int i = 0; i < g.card_count(); ++i) {
            const lesson::MatchCard c = g.card(i);
            const lesson::Concept* pair_concept = content->find_concept(g.pair_id(c.pair));
            const bool term = c.side == lesson::MatchSide::term;
            w.begin_object();
            w.field("id", match_card_id(g, i)).field("concept", g.pair_id(c.pair)).field("side", term ? "term" : "definition");
            w.field("text", pair_concept ? std::string_view(term ? pair_concept->term : pair_concept->definition) : std::string_view());
            w.field("matched", c.matched).field("selected", g.selected() == i);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }

    w.key("progress").begin_object();
    w.field("answered", L.progress.quiz.size());
    w.key("matched_concepts").begin_array();
    for (const auto& [id, time] : L.progress.matched) w.value(id);
    w.end_array();
    w.field("rounds_completed", L.progress.rounds_completed());
    w.key("best_round");
    if (const auto b = L.progress.best_round()) {
        w.begin_object();
        w.field("score", b->score).field("max", b->max).field("mistakes", b->mistakes).field("duration_s", b->duration_s);
        w.end_object();
    } else {
        w.value(nullptr);
    }
    w.field("note", L.progress_note);
    w.end_object();

    const CostView& cost = s.lab.cost();
    const LabActivity now = s.lab.activity();
    w.key("measured").begin_object();
    w.key("pretraining");
    write_ledger(w, cost.pretrain, now == LabActivity::pretraining);
    w.key("finetuning");
    write_ledger(w, cost.finetune, now == LabActivity::finetuning);
    w.key("inference");
    write_ledger(w, cost.inference, now == LabActivity::inference);
    w.end_object();
    w.end_object();
}

}  // namespace knobs
