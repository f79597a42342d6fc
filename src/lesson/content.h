// The lesson as data: every string the learner reads lives in content/<language>.json, is parsed into the
// typed structs below and validated before the UI sees it. The schema is documented in docs/content.md.
//
// Two levels of checking:
//   parse_content()  one file on its own: JSON syntax, duplicate keys, missing keys, wrong types, empty
//                    text, malformed or duplicate ids, unknown demo ids, quiz answer rules.
//   validate_pair()  a translation against the reference language: the same ids in the same order, the
//                    same demos, the same right answers and the same {placeholders} in UI strings.
// Every problem becomes a ContentError naming the file and the field path, e.g.
//   "pt-BR.json: quiz[3].options[1].id: missing". Nothing here throws.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace knobs::lesson {

// The lab panels a piece of content can point to with "show me". The UI owns the panels; content only
// names them, so an unknown name is a content error rather than a dead button.
enum class Demo : int {
    pretrain,      // watch the loss fall
    knobs,         // parameters as knobs
    step_anatomy,  // one step: forward, loss, backward, update
    inference,     // generate; the weights checksum stays the same
    chat_context,  // the context window as the only memory
    finetune,      // full fine-tuning
    lora,          // LoRA fine-tuning, base untouched
    weights_file,  // save / open the weights file
    cost_latency,  // bigger models cost more per token
    temperature,   // sampling
    count
};
inline constexpr int kNumDemos = static_cast<int>(Demo::count);
static_assert(kNumDemos == 10, "docs/content.md lists exactly ten demo ids; update both together");
const char* demo_id(Demo demo);                          // "step_anatomy"
std::optional<Demo> demo_from_id(std::string_view id);  // nullopt when unknown

// Which part of the lifecycle a stage belongs to; the lifecycle map draws one lane per phase.
enum class Phase : int { pretraining, finetuning, inference, count };
const char* phase_id(Phase phase);
std::optional<Phase> phase_from_id(std::string_view id);

enum class QuestionKind : int { single, multiple };

struct Section {  // a block of lesson prose
    std::string id, title;
    std::vector<std::string> paragraphs;
    Demo demo = Demo::pretrain;
};
struct Stage {  // one box of the lifecycle map
    std::string id, label, sublabel, explanation;
    Phase phase = Phase::pretraining;
    Demo demo = Demo::pretrain;
};
struct ComparisonColumn {
    std::string id, title;
};
struct ComparisonRow {
    std::string id, aspect;
    std::vector<std::string> cells;  // one per column, in column order
};
struct Comparison {
    std::string title, aspect_header;
    std::vector<ComparisonColumn> columns;
    std::vector<ComparisonRow> rows;
};
struct Concept {  // a matching-game pair
    std::string id, term, definition;
};
struct QuizOption {
    std::string id, text;
    bool correct = false;
    std::string feedback;  // shown next to this option after checking, whether or not it was picked
};
struct QuizQuestion {
    std::string id;
    QuestionKind kind = QuestionKind::single;
    std::string prompt;
    std::vector<QuizOption> options;  // in authoring order; the quiz shuffles them per attempt
    std::string explanation;
    Demo demo = Demo::pretrain;
};
struct FaqEntry {
    std::string id, question, answer;
    Demo demo = Demo::pretrain;
};
struct Takeaway {
    std::string id, text;
};

// UI strings every content file must provide; the panels look them up with Content::ui_text().
// A file may add more keys (a translation must then have the same extra keys).
inline constexpr std::string_view kRequiredUiKeys[] = {
    "language_label", "language_en", "language_pt_br",
    "title_lesson_map", "title_lifecycle", "title_matching", "title_quiz", "title_faq", "title_takeaways",
    "title_lab", "title_progress",
    "phase_pretraining", "phase_finetuning", "phase_inference",
    "demo_pretrain", "demo_knobs", "demo_step_anatomy", "demo_inference", "demo_chat_context", "demo_finetune",
    "demo_lora", "demo_weights_file", "demo_cost_latency", "demo_temperature",
    "button_check", "button_retry_wrong", "button_show_solution", "button_hide_solution", "button_new_round",
    "button_retry_round", "button_reset_progress", "button_confirm_reset", "button_cancel", "button_show_me",
    "button_next", "button_previous",
    "label_score", "label_mistakes", "label_time", "label_matched", "label_correct", "label_wrong",
    "label_missed", "label_selected", "label_explanation", "label_solution", "label_round",
    "matching_instructions", "matching_keyboard_hint", "matching_wrong", "matching_right", "matching_complete",
    "quiz_single_hint", "quiz_multiple_hint", "quiz_select_first", "quiz_question_counter", "quiz_complete",
    "quiz_passed", "quiz_not_passed", "quiz_solution_locked",
    "reset_confirm", "progress_restored", "progress_discarded",
    "time_seconds", "time_minutes_seconds", "read_time",
};

struct Content {
    std::string source;  // the file name used in error messages, e.g. "pt-BR.json"
    int format = 1;
    std::string language_code;  // "en", "pt-BR"
    std::string language_name;  // in its own language: "English", "Português (Brasil)"
    std::string title, subtitle;
    std::vector<Section> sections;
    std::vector<Stage> stages;
    Comparison comparison;
    std::vector<Concept> concepts;
    std::vector<QuizQuestion> quiz;
    std::vector<FaqEntry> faq;
    std::vector<Takeaway> takeaways;
    std::map<std::string, std::string, std::less<>> ui;

    // The UI string for `key` (NUL-terminated, lives as long as this Content); "[missing text]" when the
    // key is absent, which validation rules out for every key in kRequiredUiKeys.
    const char* ui_text(std::string_view key) const;
    const Concept* find_concept(std::string_view id) const;
    std::vector<std::string> concept_ids() const;  // the matching game's pool, in file order
    const QuizQuestion* find_question(std::string_view id) const;
    const Stage* find_stage(std::string_view id) const;
};

struct ContentError {
    std::string file;     // "pt-BR.json"
    std::string path;     // "quiz[3].options[1].id"; "(document)" for syntax errors
    std::string message;  // "missing", "expected a string, got number", ...
    std::string to_string() const;  // "pt-BR.json: quiz[3].options[1].id: missing"
};

// One file, checked on its own. `content` is set only when `errors` is empty, so the UI never sees
// half-read data.
struct ContentLoad {
    std::optional<Content> content;
    std::vector<ContentError> errors;
    bool ok() const { return content.has_value() && errors.empty(); }
};
ContentLoad parse_content(std::string_view json_text, std::string_view file_name);

// A translation against the reference language. Both must already have parsed cleanly. Errors are
// reported against `translation`'s file, at the translation's own paths.
std::vector<ContentError> validate_pair(const Content& reference, const Content& translation);

// A set of languages, the first being the reference the others are validated against.
struct ContentFile {
    std::string_view file_name;  // "pt-BR.json"
    std::string_view json_text;
};
struct LessonLibrary {
    std::vector<Content> languages;  // every language that parsed and validated, in input order
    std::vector<ContentError> errors;
    bool ok() const { return errors.empty() && !languages.empty(); }
    const Content* find(std::string_view language_code) const;
};
// The single path both the shipped files and an author's files go through.
LessonLibrary load_languages(std::span<const ContentFile> files);
// en.json (reference) and pt-BR.json as embedded into the binary at build time.
LessonLibrary load_embedded_content();
// An author's file checked exactly like the shipped ones: parsed, then validated against `reference`
// (pass the English content to check a translation, or the author's own reference language).
ContentLoad load_author_content(std::string_view json_text, std::string_view file_name, const Content& reference);
// The raw embedded bytes ("en" or "pt-BR"); empty for any other code. Handy as an authoring template.
std::string_view embedded_content_text(std::string_view language_code);

// Placeholders such as "{score}" in a UI string, sorted and de-duplicated.
std::vector<std::string> placeholders_in(std::string_view text);
// "Score {score} of {max}" with {"score","3"},{"max","5"} -> "Score 3 of 5". Unknown placeholders stay.
std::string fill_placeholders(std::string_view text, std::span<const std::pair<std::string_view, std::string_view>> values);

}  // namespace knobs::lesson
