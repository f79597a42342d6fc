#include "lesson/quiz.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <utility>

#include "core/rng.h"

namespace knobs::lesson {
namespace {

// FNV-1a: a question's shuffle depends on its id, not its position, so reordering or adding questions
// in the content does not reshuffle the others.
std::uint64_t hash_id(std::string_view id) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : id) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

}  // namespace

Result<QuizSession> QuizSession::create(std::span<const QuizQuestion> questions, std::uint64_t seed, double pass_ratio) {
    using R = Result<QuizSession>;
    if (questions.empty()) return R::fail("the quiz has no questions");
    if (!(pass_ratio > 0.0 && pass_ratio <= 1.0)) return R::fail("the pass ratio must be in (0, 1], got " + std::to_string(pass_ratio));
    std::vector<QuestionState> states;
    std::set<std::string> question_ids;
    for (const QuizQuestion& q : questions) {
        const std::string name = "quiz question \"" + q.id + "\"";
        if (q.id.empty()) return R::fail("a quiz question has an empty id");
        if (!question_ids.insert(q.id).second) return R::fail(name + " appears twice");
        if (q.options.size() < 2) return R::fail(name + " needs at least 2 options");
        QuestionState s;
        s.id = q.id;
        s.kind = q.kind;
        std::set<std::string> option_ids;
        int n_correct = 0;
        for (const QuizOption& o : q.options) {
            if (o.id.empty() || !option_ids.insert(o.id).second) return R::fail(name + " has an empty or repeated option id");
            s.option_ids.push_back(o.id);
            s.option_correct.push_back(o.correct);
            n_correct += o.correct ? 1 : 0;
        }
        if (q.kind == QuestionKind::single && n_correct != 1) return R::fail(name + " is single-answer but has " + std::to_string(n_correct) + " correct options");
        if (q.kind == QuestionKind::multiple && n_correct < 1) return R::fail(name + " has no correct option");
        s.selected.assign(s.option_ids.size(), false);
        states.push_back(std::move(s));
    }
    return R::ok(QuizSession(std::move(states), seed, pass_ratio));
}

QuizSession::QuizSession(std::vector<QuestionState> questions, std::uint64_t seed, double pass_ratio)
    : questions_(std::move(questions)), seed_(seed), pass_ratio_(pass_ratio) {
    for (auto& q : questions_) reshuffle(q);
}

void QuizSession::reshuffle(QuestionState& q) {
    const auto k = q.option_ids.size();
    const std::vector<int> previous = q.order;
    // A retry that shows the options in the same order as before would look like nothing happened, so
    // draw again (a bounded number of times; with k >= 2 a repeat is at most 1 in 2).
    for (int draw = 0; draw < 8; ++draw) {
        // Each (seed, question, shuffle number) gets its own stream; Rng's splitmix seeding decorrelates them.
        Rng rng(seed_ ^ hash_id(q.id) ^ (0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(q.shuffles + 1)));
        ++q.shuffles;
        q.order.resize(k);
        std::iota(q.order.begin(), q.order.end(), 0);
        for (std::size_t i = k; i > 1; --i) std::swap(q.order[i - 1], q.order[rng.below(static_cast<std::uint32_t>(i))]);
        if (q.order != previous) return;
    }
}

int QuizSession::find(std::string_view question_id) const {
    for (int q = 0; q < question_count(); ++q)
        if (questions_[static_cast<std::size_t>(q)].id == question_id) return q;
    return -1;
}

const std::string& QuizSession::option_id(int q, int option) const {
    return questions_[static_cast<std::size_t>(q)].option_ids[static_cast<std::size_t>(option)];
}

int QuizSession::find_option(int q, std::string_view id) const {
    if (!valid(q)) return -1;
    const auto& ids = questions_[static_cast<std::size_t>(q)].option_ids;
    const auto it = std::find(ids.begin(), ids.end(), id);
    return it == ids.end() ? -1 : static_cast<int>(it - ids.begin());
}

bool QuizSession::select(int q, int option, double now_s) {
    if (!valid(q, option)) return false;
    QuestionState& s = questions_[static_cast<std::size_t>(q)];
    if (s.checked) return false;
    if (!started_at_s_) started_at_s_ = now_s;
    const auto o = static_cast<std::size_t>(option);
    const bool was = s.selected[o];
    if (s.kind == QuestionKind::single) std::fill(s.selected.begin(), s.selected.end(), false);
    s.selected[o] = !was;
    return true;
}

bool QuizSession::is_selected(int q, int option) const {
    return valid(q, option) && questions_[static_cast<std::size_t>(q)].selected[static_cast<std::size_t>(option)];
}

bool QuizSession::has_selection(int q) const {
    if (!valid(q)) return false;
    const auto& sel = questions_[static_cast<std::size_t>(q)].selected;
    return std::find(sel.begin(), sel.end(), true) != sel.end();
}

CheckOutcome QuizSession::check(int q, double now_s) {
    CheckOutcome out;
    if (!valid(q)) return out;
    QuestionState& s = questions_[static_cast<std::size_t>(q)];
    if (s.checked) {
        out.status = CheckStatus::already_checked;
        return out;
    }
    if (!has_selection(q)) {
        out.status = CheckStatus::nothing_selected;
        return out;
    }
    const bool was_all_checked = all_checked();
    s.checked = true;
    ++s.attempts;
    s.correct = s.selected == s.option_correct;  // every right option picked, no wrong one
    out.status = CheckStatus::checked;
    QuizAnswered answered{s.id, s.correct, {}};
    for (std::size_t o = 0; o < s.option_ids.size(); ++o)
        if (s.selected[o]) answered.selected_ids.push_back(s.option_ids[o]);
    out.answered = std::move(answered);
    if (!was_all_checked && all_checked())
        out.completed = QuizCompleted{score_raw(), score_max(), score_scaled(), success(), elapsed_s(now_s)};
    return out;
}

bool QuizSession::is_checked(int q) const { return valid(q) && questions_[static_cast<std::size_t>(q)].checked; }
bool QuizSession::is_correct(int q) const { return is_checked(q) && questions_[static_cast<std::size_t>(q)].correct; }
int QuizSession::attempts(int q) const { return valid(q) ? questions_[static_cast<std::size_t>(q)].attempts : 0; }

OptionFeedback QuizSession::feedback(int q, int option) const {
    if (!valid(q, option) || !is_checked(q)) return OptionFeedback::none;
    const QuestionState& s = questions_[static_cast<std::size_t>(q)];
    const auto o = static_cast<std::size_t>(option);
    if (s.selected[o]) return s.option_correct[o] ? OptionFeedback::correct : OptionFeedback::incorrect;
    if (s.option_correct[o] && s.revealed) return OptionFeedback::missed;
    return OptionFeedback::none;
}

int QuizSession::missed_count(int q) const {
    if (!is_checked(q)) return 0;
    const QuestionState& s = questions_[static_cast<std::size_t>(q)];
    int n = 0;
    for (std::size_t o = 0; o < s.option_ids.size(); ++o) n += s.option_correct[o] && !s.selected[o] ? 1 : 0;
    return n;
}

bool QuizSession::can_show_solution(int q) const { return is_checked(q); }

bool QuizSession::show_solution(int q) {
    if (!can_show_solution(q)) return false;
    questions_[static_cast<std::size_t>(q)].revealed = true;
    return true;
}

bool QuizSession::solution_shown(int q) const { return valid(q) && questions_[static_cast<std::size_t>(q)].revealed; }

std::vector<int> QuizSession::solution(int q) const {
    std::vector<int> right;
    if (!solution_shown(q)) return right;
    const QuestionState& s = questions_[static_cast<std::size_t>(q)];
    for (std::size_t o = 0; o < s.option_ids.size(); ++o)
        if (s.option_correct[o]) right.push_back(static_cast<int>(o));
    return right;
}

int QuizSession::score_raw() const {
    return static_cast<int>(std::count_if(questions_.begin(), questions_.end(), [](const QuestionState& s) { return s.checked && s.correct; }));
}

bool QuizSession::all_checked() const {
    return std::all_of(questions_.begin(), questions_.end(), [](const QuestionState& s) { return s.checked; });
}

std::vector<int> QuizSession::wrong_questions() const {
    std::vector<int> wrong;
    for (int q = 0; q < question_count(); ++q) {
        const QuestionState& s = questions_[static_cast<std::size_t>(q)];
        if (s.checked && !s.correct && !s.revealed) wrong.push_back(q);
    }
    return wrong;
}

double QuizSession::elapsed_s(double now_s) const {
    return started_at_s_ ? std::max(0.0, now_s - *started_at_s_) : 0.0;
}

int QuizSession::retry_wrong() {
    const std::vector<int> wrong = wrong_questions();
    for (const int q : wrong) {
        QuestionState& s = questions_[static_cast<std::size_t>(q)];
        s.checked = false;
        s.correct = false;
        std::fill(s.selected.begin(), s.selected.end(), false);
        reshuffle(s);
    }
    return static_cast<int>(wrong.size());
}

void QuizSession::reset() {
    for (QuestionState& s : questions_) {
        std::fill(s.selected.begin(), s.selected.end(), false);
        s.checked = s.correct = s.revealed = false;
        s.attempts = 0;
        s.shuffles = 0;
        s.order.clear();  // so the first draw is accepted as is, exactly as at creation
        reshuffle(s);
    }
    started_at_s_.reset();
}

bool QuizSession::restore_answer(std::string_view question_id, std::span<const std::string> selected_ids, int attempts,
                                 bool solution_shown) {
    const int q = find(question_id);
    if (q < 0 || selected_ids.empty()) return false;
    QuestionState& s = questions_[static_cast<std::size_t>(q)];
    std::vector<bool> selected(s.option_ids.size(), false);
    for (const std::string& id : selected_ids) {
        const int o = find_option(q, id);
        if (o < 0) return false;
        selected[static_cast<std::size_t>(o)] = true;
    }
    if (s.kind == QuestionKind::single && std::count(selected.begin(), selected.end(), true) != 1) return false;
    s.selected = std::move(selected);
    s.checked = true;
    s.correct = s.selected == s.option_correct;
    s.revealed = solution_shown;
    s.attempts = std::max(1, attempts);
    return true;
}

}  // namespace knobs::lesson
