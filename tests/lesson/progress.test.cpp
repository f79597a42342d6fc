// Saved progress: round trips, and everything that can be wrong with what localStorage hands back.
#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "core/rng.h"
#include "lesson/content.h"
#include "lesson/matching.h"
#include "lesson/progress.h"
#include "lesson/quiz.h"

using namespace knobs::lesson;
using Catch::Matchers::WithinAbs;

namespace {

const Content& english() {
    static const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    return library.languages[0];
}

Progress sample_progress() {
    Progress p;
    p.quiz["q-production"] = QuizRecord{{"o-inference"}, 1, false};
    p.quiz["q-latency"] = QuizRecord{{"o-forward-per-token", "o-fixed-by-lab"}, 3, true};
    p.matched = {"c-lora", "c-token", "c-rag"};
    p.rounds_completed = 2;
    p.best_round = MatchingCompleted{5, 6, 1, 41.25};
    return p;
}

}  // namespace

TEST_CASE("[lesson] progress: round trip") {
    const Progress p = sample_progress();
    const std::string saved = serialize_progress(p);
    CHECK(saved.rfind("{", 0) == 0);
    CHECK(saved.find("\"k\":\"knobs-lesson\"") != std::string::npos);
    CHECK(saved.find(' ') == std::string::npos);  // compact
    CHECK(saved.size() < 300);

    for (const Content* lesson : {static_cast<const Content*>(nullptr), &english()}) {
        const ProgressLoad load = parse_progress(saved, lesson);
        INFO(load.reason);
        CHECK(load.status == ProgressStatus::restored);
        CHECK(load.dropped.empty());
        CHECK(load.progress == p);
        CHECK(serialize_progress(load.progress) == saved);
    }
}

TEST_CASE("[lesson] progress: nothing saved is a fresh start, not an error") {
    for (const char* text : {"", "   ", "\n"}) {
        const ProgressLoad load = parse_progress(text, &english());
        CHECK(load.status == ProgressStatus::fresh);
        CHECK(load.progress.empty());
        CHECK(load.reason.empty());
    }
    const ProgressLoad empty = parse_progress(serialize_progress(Progress{}));
    CHECK(empty.status == ProgressStatus::restored);
    CHECK(empty.progress.empty());
}

TEST_CASE("[lesson] progress: corrupt or foreign data is discarded with a reason") {
    struct Case {
        const char* name;
        std::string text;
        const char* reason_contains;
    };
    const std::string huge = "{\"k\":\"knobs-lesson\",\"v\":1,\"x\":\"" + std::string(70000, 'a') + "\"}";
    const std::vector<Case> cases = {
        {"not JSON", "{\"k\":\"knobs-lesson\",", "not valid JSON"},
        {"invalid UTF-8", "{\"k\":\"knobs-lesson\xff\"}", "not valid JSON"},
        {"not an object", "[1,2,3]", "not an object"},
        {"a plain string", "\"hello\"", "not an object"},
        {"another app's data", R"({"theme":"dark","volume":3})", "does not belong to this lesson"},
        {"a different tag", R"({"k":"other-lesson","v":1,"q":{},"m":[],"n":0})", "does not belong to this lesson"},
        {"a future version", R"({"k":"knobs-lesson","v":2,"q":{},"m":[],"n":0})", "version 2"},
        {"no version", R"({"k":"knobs-lesson","q":{},"m":[],"n":0})", "no version"},
        {"quiz of wrong type", R"({"k":"knobs-lesson","v":1,"q":[],"m":[],"n":0})", "\"q\" is missing or not an object"},
        {"answer of wrong type", R"({"k":"knobs-lesson","v":1,"q":{"q-loss":3},"m":[],"n":0})", "\"q-loss\" is not an object"},
        {"empty selection", R"({"k":"knobs-lesson","v":1,"q":{"q-loss":{"s":[],"a":1}},"m":[],"n":0})", "no valid list of selected options"},
        {"selection with a number", R"({"k":"knobs-lesson","v":1,"q":{"q-loss":{"s":[4],"a":1}},"m":[],"n":0})", "no valid list"},
        {"attempts missing", R"({"k":"knobs-lesson","v":1,"q":{"q-loss":{"s":["o-error"]}},"m":[],"n":0})", "attempt count"},
        {"attempts negative", R"({"k":"knobs-lesson","v":1,"q":{"q-loss":{"s":["o-error"],"a":-2}},"m":[],"n":0})", "attempt count"},
        {"solution flag of wrong type", R"({"k":"knobs-lesson","v":1,"q":{"q-loss":{"s":["o-error"],"a":1,"r":"yes"}},"m":[],"n":0})", "solution flag"},
        {"matched of wrong type", R"({"k":"knobs-lesson","v":1,"q":{},"m":"c-lora","n":0})", "\"m\""},
        {"matched with a bad id", R"({"k":"knobs-lesson","v":1,"q":{},"m":["<script>"],"n":0})", "\"m\""},
        {"rounds missing", R"({"k":"knobs-lesson","v":1,"q":{},"m":[]})", "\"n\""},
        {"best round of wrong shape", R"({"k":"knobs-lesson","v":1,"q":{},"m":[],"n":1,"b":[5,6]})", "\"b\""},
        {"impossible best round", R"({"k":"knobs-lesson","v":1,"q":{},"m":[],"n":1,"b":[9,6,0,3.5]})", "impossible"},
        {"oversized", huge, "bytes"},
    };
    for (const Case& c : cases) {
        SECTION(c.name) {
            const ProgressLoad load = parse_progress(c.text, &english());
            INFO(load.reason);
            CHECK(load.status == ProgressStatus::discarded);
            CHECK(load.progress.empty());
            CHECK(load.reason.find(c.reason_contains) != std::string::npos);
        }
    }
}

TEST_CASE("[lesson] progress: entries that no longer fit the lesson are dropped one by one") {
    const std::string saved =
        R"({"k":"knobs-lesson","v":1,"q":{"q-production":{"s":["o-inference"],"a":1},)"
        R"("q-removed":{"s":["o-a"],"a":1},"q-loss":{"s":["o-gone"],"a":2},"q-lora":{"s":["o-adapter","o-prompt"],"a":1}},)"
        R"("m":["c-lora","c-removed"],"n":1})";
    const ProgressLoad load = parse_progress(saved, &english());
    CHECK(load.status == ProgressStatus::restored);
    CHECK(load.progress.quiz.size() == 1);
    CHECK(load.progress.quiz.count("q-production") == 1);
    CHECK(load.progress.matched == std::set<std::string>{"c-lora"});
    CHECK(load.progress.rounds_completed == 1);
    REQUIRE(load.dropped.size() == 4);
    CHECK(load.dropped[0].find("q-lora") != std::string::npos);  // a single-answer question with two picks
    // Without a lesson only the shape is checked, so everything is kept.
    const ProgressLoad shape_only = parse_progress(saved);
    CHECK(shape_only.progress.quiz.size() == 4);
    CHECK(shape_only.dropped.empty());
}

TEST_CASE("[lesson] progress: a quiz session is saved and restored") {
    const Content& en = english();
    auto made = QuizSession::create(en.quiz, 77);
    REQUIRE(made);
    QuizSession& quiz = *made.value;
    const int production = quiz.find("q-production");
    const int latency = quiz.find("q-latency");
    quiz.select(production, quiz.find_option(production, "o-inference"), 1);
    quiz.check(production, 2);
    quiz.select(latency, quiz.find_option(latency, "o-forward-per-token"), 3);
    quiz.check(latency, 4);
    quiz.show_solution(latency);

    Progress progress;
    record_quiz(progress, quiz);
    REQUIRE(progress.quiz.size() == 2);
    CHECK(progress.quiz["q-latency"].solution_shown);

    const ProgressLoad load = parse_progress(serialize_progress(progress), &en);
    REQUIRE(load.status == ProgressStatus::restored);
    auto fresh = QuizSession::create(en.quiz, 77);
    REQUIRE(fresh);
    CHECK(restore_quiz(*fresh.value, load.progress) == 2);
    CHECK(fresh.value->is_correct(production));
    CHECK(fresh.value->is_checked(latency));
    CHECK_FALSE(fresh.value->is_correct(latency));
    CHECK(fresh.value->solution_shown(latency));
    CHECK(fresh.value->score_raw() == quiz.score_raw());

    // A retried question keeps its previous record until it is checked again.
    QuizSession& live = *fresh.value;
    live.retry_wrong();  // latency's solution was shown, so nothing is reopened
    CHECK(live.is_checked(latency));
    record_quiz(progress, live);
    CHECK(progress.quiz.size() == 2);
}

TEST_CASE("[lesson] progress: matched pairs and finished rounds") {
    std::vector<std::string> ids;
    for (const auto& c : english().concepts) ids.push_back(c.id);
    auto made = MatchingGame::create(ids, 9, 5);
    REQUIRE(made);
    MatchingGame& game = *made.value;
    Progress progress;
    std::optional<MatchingCompleted> done;
    for (int p = 0; p < game.pair_count(); ++p) {
        int term = -1, def = -1;
        for (int i = 0; i < game.card_count(); ++i) {
            if (game.card(i).pair != p) continue;
            (game.card(i).side == MatchSide::term ? term : def) = i;
        }
        game.tap(term, p);
        const TapOutcome out = game.tap(def, p + 0.4567);
        record_matched_pairs(progress, game);
        record_matched_pairs(progress, game);  // idempotent
        if (out.completed) done = out.completed;
    }
    REQUIRE(done.has_value());
    CHECK(progress.matched.size() == 5);
    record_round_completed(progress, *done);
    CHECK(progress.rounds_completed == 1);
    REQUIRE(progress.best_round.has_value());
    CHECK(progress.best_round->score == 5);

    // A worse round counts but does not replace the best; a faster perfect one does.
    record_round_completed(progress, MatchingCompleted{3, 5, 4, 10.0});
    CHECK(progress.rounds_completed == 2);
    CHECK(progress.best_round->score == 5);
    record_round_completed(progress, MatchingCompleted{5, 5, 0, 1.0});
    CHECK_THAT(progress.best_round->duration_s, WithinAbs(1.0, 1e-12));

    const ProgressLoad load = parse_progress(serialize_progress(progress), &english());
    CHECK(load.progress == progress);

    reset_progress(progress);
    CHECK(progress.empty());
}

TEST_CASE("[lesson] progress: random damage never crashes the reader") {
    const std::string saved = serialize_progress(sample_progress());
    const auto seed = GENERATE(11u, 12u);
    knobs::Rng rng(seed);
    for (int trial = 0; trial < 300; ++trial) {
        std::string text = saved;
        const std::size_t at = rng.below(static_cast<std::uint32_t>(text.size()));
        switch (rng.below(3)) {
            case 0: text[at] = static_cast<char>(rng.below(256)); break;
            case 1: text.erase(at, 1 + rng.below(12)); break;
            default: text.insert(at, 1, "{}[]\",:0-"[rng.below(9)]); break;
        }
        const ProgressLoad load = parse_progress(text, &english());
        if (load.status == ProgressStatus::discarded) {
            CHECK_FALSE(load.reason.empty());
            CHECK(load.progress.empty());
        }
    }
}
