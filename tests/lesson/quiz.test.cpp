// The quiz: selection rules, grading, feedback, solution gating, retrying, events and shuffling.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "lesson/content.h"
#include "lesson/quiz.h"

using namespace knobs::lesson;
using Catch::Matchers::WithinAbs;

namespace {

QuizQuestion make_question(std::string id, QuestionKind kind, std::vector<std::pair<std::string, bool>> options) {
    QuizQuestion q;
    q.id = std::move(id);
    q.kind = kind;
    q.prompt = "prompt";
    q.explanation = "explanation";
    for (auto& [oid, correct] : options) q.options.push_back(QuizOption{oid, "text " + oid, correct, "feedback " + oid});
    return q;
}

// q0: single, right answer "b". q1: multiple, right answers "a" and "c".
std::vector<QuizQuestion> two_questions() {
    return {make_question("q-single", QuestionKind::single, {{"a", false}, {"b", true}, {"c", false}}),
            make_question("q-multi", QuestionKind::multiple, {{"a", true}, {"b", false}, {"c", true}, {"d", false}})};
}

QuizSession make_session(const std::vector<QuizQuestion>& questions, std::uint64_t seed = 1, double pass = 0.7) {
    auto made = QuizSession::create(questions, seed, pass);
    REQUIRE(made);
    return std::move(*made.value);
}

}  // namespace

TEST_CASE("[lesson] quiz: single answer scoring") {
    const auto questions = two_questions();
    QuizSession quiz = make_session(questions);
    const int q = quiz.find("q-single");
    REQUIRE(q == 0);

    SECTION("a new pick replaces the old one; picking it again clears it") {
        CHECK(quiz.select(q, 0, 1));
        CHECK(quiz.select(q, 1, 2));
        CHECK_FALSE(quiz.is_selected(q, 0));
        CHECK(quiz.is_selected(q, 1));
        CHECK(quiz.select(q, 1, 3));
        CHECK_FALSE(quiz.has_selection(q));
    }
    SECTION("right answer") {
        quiz.select(q, 1, 1);
        const CheckOutcome out = quiz.check(q, 2);
        CHECK(out.status == CheckStatus::checked);
        REQUIRE(out.answered.has_value());
        CHECK(out.answered->question_id == "q-single");
        CHECK(out.answered->correct);
        CHECK(out.answered->selected_ids == std::vector<std::string>{"b"});
        CHECK_FALSE(out.completed.has_value());  // q-multi is still open
        CHECK(quiz.is_correct(q));
        CHECK(quiz.score_raw() == 1);
        CHECK(quiz.feedback(q, 1) == OptionFeedback::correct);
        CHECK(quiz.feedback(q, 0) == OptionFeedback::none);
        CHECK(quiz.missed_count(q) == 0);
    }
    SECTION("wrong answer") {
        quiz.select(q, 2, 1);
        const CheckOutcome out = quiz.check(q, 2);
        REQUIRE(out.answered.has_value());
        CHECK_FALSE(out.answered->correct);
        CHECK(out.answered->selected_ids == std::vector<std::string>{"c"});
        CHECK(quiz.feedback(q, 2) == OptionFeedback::incorrect);
        // The right option stays hidden until the solution is asked for.
        CHECK(quiz.feedback(q, 1) == OptionFeedback::none);
        CHECK(quiz.missed_count(q) == 1);
        CHECK(quiz.score_raw() == 0);
        REQUIRE(quiz.show_solution(q));
        CHECK(quiz.feedback(q, 1) == OptionFeedback::missed);
        CHECK(quiz.solution(q) == std::vector<int>{1});
    }
}

TEST_CASE("[lesson] quiz: multiple answer scoring") {
    const auto questions = two_questions();
    QuizSession quiz = make_session(questions);
    const int q = quiz.find("q-multi");
    REQUIRE(q == 1);
    SECTION("all the right options and nothing else") {
        quiz.select(q, 0, 0);
        quiz.select(q, 2, 0);
        const CheckOutcome out = quiz.check(q, 1);
        CHECK(out.answered->correct);
        CHECK(out.answered->selected_ids == std::vector<std::string>{"a", "c"});
        CHECK(quiz.feedback(q, 0) == OptionFeedback::correct);
        CHECK(quiz.feedback(q, 2) == OptionFeedback::correct);
        CHECK(quiz.feedback(q, 1) == OptionFeedback::none);
    }
    SECTION("one right option missing") {
        quiz.select(q, 0, 0);
        const CheckOutcome out = quiz.check(q, 1);
        CHECK_FALSE(out.answered->correct);
        CHECK(quiz.feedback(q, 0) == OptionFeedback::correct);
        CHECK(quiz.missed_count(q) == 1);
        CHECK(quiz.feedback(q, 2) == OptionFeedback::none);
        quiz.show_solution(q);
        CHECK(quiz.feedback(q, 2) == OptionFeedback::missed);
        CHECK(quiz.solution(q) == std::vector<int>{0, 2});
    }
    SECTION("every right option plus a wrong one") {
        for (int o : {0, 2, 3}) quiz.select(q, o, 0);
        const CheckOutcome out = quiz.check(q, 1);
        CHECK_FALSE(out.answered->correct);
        CHECK(quiz.feedback(q, 3) == OptionFeedback::incorrect);
        CHECK(quiz.missed_count(q) == 0);
    }
    SECTION("toggling") {
        quiz.select(q, 0, 0);
        quiz.select(q, 2, 0);
        quiz.select(q, 0, 0);
        CHECK_FALSE(quiz.is_selected(q, 0));
        CHECK(quiz.is_selected(q, 2));
    }
}

TEST_CASE("[lesson] quiz: checking needs a selection, and a checked answer is locked") {
    const auto questions = two_questions();
    QuizSession quiz = make_session(questions);
    CHECK(quiz.check(0, 0).status == CheckStatus::nothing_selected);
    CHECK(quiz.attempts(0) == 0);
    quiz.select(0, 0, 0);
    CHECK(quiz.check(0, 1).status == CheckStatus::checked);
    CHECK(quiz.check(0, 2).status == CheckStatus::already_checked);
    CHECK(quiz.attempts(0) == 1);
    CHECK_FALSE(quiz.select(0, 1, 3));
    CHECK(quiz.is_selected(0, 0));
    CHECK(quiz.check(7, 0).status == CheckStatus::invalid_question);
    CHECK_FALSE(quiz.select(0, 9, 0));
    CHECK_FALSE(quiz.select(-1, 0, 0));
    CHECK(quiz.feedback(9, 0) == OptionFeedback::none);
}

TEST_CASE("[lesson] quiz: the solution is only shown after an answer") {
    const auto questions = two_questions();
    QuizSession quiz = make_session(questions);
    CHECK_FALSE(quiz.can_show_solution(0));
    CHECK_FALSE(quiz.show_solution(0));
    CHECK_FALSE(quiz.solution_shown(0));
    CHECK(quiz.solution(0).empty());
    quiz.select(0, 1, 0);
    CHECK_FALSE(quiz.show_solution(0));  // selecting is not answering
    quiz.check(0, 1);
    CHECK(quiz.can_show_solution(0));
    CHECK(quiz.show_solution(0));
    CHECK(quiz.solution(0) == std::vector<int>{1});
    CHECK_FALSE(quiz.show_solution(5));
}

TEST_CASE("[lesson] quiz: retry the wrong ones") {
    const auto questions = {
        make_question("q1", QuestionKind::single, {{"a", true}, {"b", false}, {"c", false}, {"d", false}}),
        make_question("q2", QuestionKind::single, {{"a", true}, {"b", false}, {"c", false}, {"d", false}}),
        make_question("q3", QuestionKind::multiple, {{"a", true}, {"b", true}, {"c", false}, {"d", false}}),
    };
    const std::vector<QuizQuestion> qs(questions);
    QuizSession quiz = make_session(qs, 5, 0.6);
    quiz.select(0, 0, 10);  // right
    quiz.check(0, 11);
    quiz.select(1, 2, 12);  // wrong
    quiz.check(1, 13);
    quiz.select(2, 0, 14);  // wrong (b missing)
    const CheckOutcome last = quiz.check(2, 20);
    REQUIRE(last.completed.has_value());
    CHECK(last.completed->score_raw == 1);
    CHECK(last.completed->score_max == 3);
    CHECK_THAT(last.completed->score_scaled, WithinAbs(1.0 / 3.0, 1e-12));
    CHECK_FALSE(last.completed->success);
    CHECK_THAT(last.completed->duration_s, WithinAbs(10.0, 1e-12));

    quiz.show_solution(2);  // revealed: no longer retried
    CHECK(quiz.wrong_questions() == std::vector<int>{1});
    const std::vector<int> order_before = quiz.option_order(1);
    const std::vector<int> kept_order = quiz.option_order(0);
    CHECK(quiz.retry_wrong() == 1);
    CHECK_FALSE(quiz.is_checked(1));
    CHECK_FALSE(quiz.has_selection(1));
    CHECK(quiz.option_order(1) != order_before);  // reshuffled for the new attempt
    CHECK(quiz.option_order(0) == kept_order);    // right answers are left alone
    CHECK(quiz.is_correct(0));
    CHECK(quiz.is_checked(2));
    CHECK(quiz.score_raw() == 1);
    CHECK_FALSE(quiz.all_checked());

    quiz.select(1, 0, 30);
    const CheckOutcome again = quiz.check(1, 31);
    CHECK(quiz.attempts(1) == 2);
    REQUIRE(again.completed.has_value());  // every question answered again
    CHECK(again.completed->score_raw == 2);
    CHECK(again.completed->success);  // 2/3 >= 0.6
    CHECK_THAT(again.completed->duration_s, WithinAbs(21.0, 1e-12));
    CHECK(quiz.retry_wrong() == 0);
}

TEST_CASE("[lesson] quiz: option order is a per-seed deterministic shuffle") {
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    const auto& questions = library.languages[0].quiz;
    const auto seed = GENERATE(1u, 7u, 1234567u);
    QuizSession a = make_session(questions, seed), b = make_session(questions, seed);
    for (int q = 0; q < a.question_count(); ++q) {
        CHECK(a.option_order(q) == b.option_order(q));
        std::vector<int> sorted = a.option_order(q);
        std::sort(sorted.begin(), sorted.end());
        std::vector<int> expected(static_cast<std::size_t>(a.option_count(q)));
        for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int>(i);
        CHECK(sorted == expected);
    }
    // Different seeds give different orders somewhere, and the authoring order is not always kept
    // (otherwise the right answer would sit in a fixed place).
    QuizSession c = make_session(questions, seed + 1);
    bool any_difference = false, any_moved = false;
    for (int q = 0; q < a.question_count(); ++q) {
        any_difference = any_difference || a.option_order(q) != c.option_order(q);
        for (int i = 0; i < a.option_count(q); ++i) any_moved = any_moved || a.option_order(q)[static_cast<std::size_t>(i)] != i;
    }
    CHECK(any_difference);
    CHECK(any_moved);

    // reset() brings back the very first orders.
    std::vector<std::vector<int>> initial;
    for (int q = 0; q < a.question_count(); ++q) initial.push_back(a.option_order(q));
    for (int q = 0; q < a.question_count(); ++q) {
        a.select(q, 0, 0);
        a.check(q, 0);
    }
    a.retry_wrong();
    a.reset();
    for (int q = 0; q < a.question_count(); ++q) CHECK(a.option_order(q) == initial[static_cast<std::size_t>(q)]);
    CHECK(a.score_raw() == 0);
    CHECK_FALSE(a.is_checked(0));
    CHECK_THAT(a.elapsed_s(99), WithinAbs(0.0, 1e-12));
}

TEST_CASE("[lesson] quiz: the lesson's quiz can be aced") {
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    const auto& questions = library.languages[1].quiz;  // Portuguese: the same answer key
    QuizSession quiz = make_session(questions, 3);
    std::optional<QuizCompleted> completed;
    for (int q = 0; q < quiz.question_count(); ++q) {
        const QuizQuestion& content = questions[static_cast<std::size_t>(q)];
        CHECK(content.id == quiz.question_id(q));
        for (int o = 0; o < quiz.option_count(q); ++o)
            if (content.options[static_cast<std::size_t>(o)].correct) quiz.select(q, o, q);
        const CheckOutcome out = quiz.check(q, q + 0.5);
        CHECK(out.answered->correct);
        if (out.completed) completed = out.completed;
    }
    REQUIRE(completed.has_value());
    CHECK(completed->score_raw == quiz.question_count());
    CHECK_THAT(completed->score_scaled, WithinAbs(1.0, 1e-12));
    CHECK(completed->success);
}

TEST_CASE("[lesson] quiz: impossible quizzes are refused with a reason") {
    CHECK_FALSE(QuizSession::create({}, 1));
    auto qs = two_questions();
    SECTION("single with two right answers") {
        qs[0].options[0].correct = true;
        const auto made = QuizSession::create(qs, 1);
        CHECK_FALSE(made);
        CHECK(made.error.find("q-single") != std::string::npos);
    }
    SECTION("multiple with none") {
        for (auto& o : qs[1].options) o.correct = false;
        CHECK_FALSE(QuizSession::create(qs, 1));
    }
    SECTION("repeated question id") {
        qs[1].id = qs[0].id;
        CHECK_FALSE(QuizSession::create(qs, 1));
    }
    SECTION("repeated option id") {
        qs[1].options[1].id = qs[1].options[0].id;
        CHECK_FALSE(QuizSession::create(qs, 1));
    }
    SECTION("bad pass ratio") {
        CHECK_FALSE(QuizSession::create(qs, 1, 0.0));
        CHECK_FALSE(QuizSession::create(qs, 1, 1.5));
    }
}

TEST_CASE("[lesson] quiz: a saved answer is restored and re-graded") {
    const auto questions = two_questions();
    QuizSession quiz = make_session(questions);
    const std::vector<std::string> right = {"a", "c"};
    CHECK(quiz.restore_answer("q-multi", right, 2, false));
    CHECK(quiz.is_checked(1));
    CHECK(quiz.is_correct(1));
    CHECK(quiz.attempts(1) == 2);
    const std::vector<std::string> wrong = {"c"};
    CHECK(quiz.restore_answer("q-single", wrong, 1, true));
    CHECK_FALSE(quiz.is_correct(0));
    CHECK(quiz.solution_shown(0));
    const std::vector<std::string> two = {"a", "b"};
    CHECK_FALSE(quiz.restore_answer("q-single", two, 1, false));  // two picks on a single-answer question
    const std::vector<std::string> unknown = {"z"};
    CHECK_FALSE(quiz.restore_answer("q-multi", unknown, 1, false));
    CHECK_FALSE(quiz.restore_answer("q-none", right, 1, false));
    CHECK(quiz.all_checked());
}
