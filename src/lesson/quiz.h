// The quick-check quiz, as pure state (no UI, no clock, no global randomness).
//
// Flow per question: select options (single: a new pick replaces the old one; multiple: toggles) ->
// check -> per-option feedback and the explanation -> optionally "show solution". After a pass over
// all questions, "retry the wrong ones" reopens every wrong question with its options reshuffled.
//
// What feedback reveals, and when:
//   * After check, every *selected* option is marked correct or incorrect.
//   * Correct options the learner did not select are marked `missed` only once the solution is shown;
//     before that the UI gets just their number (missed_count), so a retry still asks something.
//   * The solution can only be shown for a question that has been checked in its current attempt.
//     A question whose solution was shown keeps its result and is not reopened by retry_wrong().
//
// Options are addressed by their index in the content (authoring order), which validate_pair()
// guarantees is the same in every language; option_order() gives the shuffled display order.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lesson/content.h"
#include "lesson/result.h"

namespace knobs::lesson {

enum class OptionFeedback : std::uint8_t { none, correct, incorrect, missed };

// Emitted by each successful check.
struct QuizAnswered {
    std::string question_id;
    bool correct = false;
    std::vector<std::string> selected_ids;  // in authoring order
};
// Emitted by the check that leaves every question answered (again, after a retry).
struct QuizCompleted {
    int score_raw = 0;
    int score_max = 0;
    double score_scaled = 0;  // score_raw / score_max, in [0, 1]
    bool success = false;     // score_scaled >= the pass ratio
    double duration_s = 0;    // from the first selection to this check
};

enum class CheckStatus : std::uint8_t { checked, nothing_selected, already_checked, invalid_question };
struct CheckOutcome {
    CheckStatus status = CheckStatus::invalid_question;
    std::optional<QuizAnswered> answered;    // set when status == checked
    std::optional<QuizCompleted> completed;  // set when this check answered the last open question
};

class QuizSession {
public:
    static constexpr double kDefaultPassRatio = 0.7;

    // Copies what it needs (ids, kinds, right answers), so `questions` need not outlive the session.
    // Fails with a sentence for an empty quiz, duplicate ids, or impossible answer keys.
    static Result<QuizSession> create(std::span<const QuizQuestion> questions, std::uint64_t seed,
                                      double pass_ratio = kDefaultPassRatio);

    // ---- structure ----
    int question_count() const { return static_cast<int>(questions_.size()); }
    const std::string& question_id(int q) const { return questions_[static_cast<std::size_t>(q)].id; }
    int find(std::string_view question_id) const;  // -1 when unknown
    QuestionKind kind(int q) const { return questions_[static_cast<std::size_t>(q)].kind; }
    int option_count(int q) const { return static_cast<int>(questions_[static_cast<std::size_t>(q)].option_ids.size()); }
    const std::string& option_id(int q, int option) const;
    int find_option(int q, std::string_view option_id) const;  // -1 when unknown
    // The display order for the current attempt: a permutation of 0..option_count(q)-1.
    const std::vector<int>& option_order(int q) const { return questions_[static_cast<std::size_t>(q)].order; }

    // ---- answering ----
    // Toggles `option` (single-answer: selecting replaces, re-selecting clears). False when the index is
    // out of range or the question is already checked.
    bool select(int q, int option, double now_s);
    bool is_selected(int q, int option) const;
    bool has_selection(int q) const;
    CheckOutcome check(int q, double now_s);

    // ---- results ----
    bool is_checked(int q) const;
    bool is_correct(int q) const;  // the current attempt was checked and right
    int attempts(int q) const;     // checks made on this question so far
    OptionFeedback feedback(int q, int option) const;
    int missed_count(int q) const;  // correct options not selected (after check; 0 before)

    bool can_show_solution(int q) const;  // checked in its current attempt
    bool show_solution(int q);            // false (and nothing revealed) when not allowed
    bool solution_shown(int q) const;
    std::vector<int> solution(int q) const;  // the correct options; empty unless the solution is shown

    int score_raw() const;  // questions whose current attempt is checked and right
    int score_max() const { return question_count(); }
    double score_scaled() const { return static_cast<double>(score_raw()) / static_cast<double>(score_max()); }
    bool success() const { return score_scaled() >= pass_ratio_; }
    double pass_ratio() const { return pass_ratio_; }
    bool all_checked() const;
    std::vector<int> wrong_questions() const;  // checked, wrong, and solution not shown: what retry reopens
    double elapsed_s(double now_s) const;      // 0 before the first selection

    // ---- flow ----
    int retry_wrong();  // reopens wrong_questions() with reshuffled options; returns how many
    void reset();       // as freshly created: same seed, same orders

    // Puts back a saved answer without emitting events (used when restoring progress). The answer is
    // re-graded against the current content rather than trusted. False for unknown or unusable ids.
    bool restore_answer(std::string_view question_id, std::span<const std::string> selected_ids, int attempts,
                        bool solution_shown);

private:
    struct QuestionState {
        std::string id;
        QuestionKind kind = QuestionKind::single;
        std::vector<std::string> option_ids;  // (k)
        std::vector<bool> option_correct;     // (k)
        std::vector<int> order;               // (k) display order, a permutation of 0..k-1
        std::vector<bool> selected;           // (k)
        bool checked = false;
        bool correct = false;
        bool revealed = false;
        int attempts = 0;
        int shuffles = 0;  // how many times `order` was drawn; part of the shuffle seed
    };
    QuizSession(std::vector<QuestionState> questions, std::uint64_t seed, double pass_ratio);
    void reshuffle(QuestionState& q);
    bool valid(int q) const { return q >= 0 && q < question_count(); }
    bool valid(int q, int option) const { return valid(q) && option >= 0 && option < option_count(q); }

    std::vector<QuestionState> questions_;
    std::uint64_t seed_ = 0;
    double pass_ratio_ = kDefaultPassRatio;
    std::optional<double> started_at_s_;
};

}  // namespace knobs::lesson
