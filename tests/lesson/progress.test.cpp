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

constexpr TimeMs kT0 = 1765000000000;  // 2025-12-06, a plausible wall-clock time

Progress sample_progress() {
    Progress p;
    p.quiz["q-production"] = QuizRecord{{"o-inference"}, 1, false, kT0 + 10};
    p.quiz["q-latency"] = QuizRecord{{"o-forward-per-token", "o-fixed-by-lab"}, 3, true, kT0 + 20};
    p.matched = {{"c-lora", kT0 + 1}, {"c-token", kT0 + 2}, {"c-rag", kT0 + 3}};
    p.rounds = {RoundRecord{MatchingCompleted{3, 6, 4, 80.5}, kT0 + 30}, RoundRecord{MatchingCompleted{5, 6, 1, 41.25}, kT0 + 40}};
    p.best = p.rounds.back();
    p.earlier_rounds = 4;
    p.earlier_until_ms = kT0 + 5;
    p.reset_ms = kT0;
    return p;
}

std::set<std::string> ids(const std::map<std::string, TimeMs>& matched) {
    std::set<std::string> out;
    for (const auto& [id, time] : matched) out.insert(id);
    return out;
}

}  // namespace

TEST_CASE("[lesson] progress: round trip") {
    const Progress p = sample_progress();
    const std::string saved = serialize_progress(p);
    CHECK(saved.rfind("{", 0) == 0);
    CHECK(saved.find("\"k\":\"knobs-lesson\"") != std::string::npos);
    CHECK(saved.find(' ') == std::string::npos);  // compact
    CHECK(saved.size() < 400);

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
        {"a future version", R"({"k":"knobs-lesson","v":3,"q":{},"m":{},"d":[]})", "version 3"},
        {"v2 answer without a time", R"({"k":"knobs-lesson","v":2,"q":{"q-loss":{"s":["o-error"],"a":1}},"m":{},"d":[]})", "no valid time"},
        {"v2 answer with a negative time", R"({"k":"knobs-lesson","v":2,"q":{"q-loss":{"s":["o-error"],"a":1,"t":-5}},"m":{},"d":[]})", "no valid time"},
        {"v2 matched as a list", R"({"k":"knobs-lesson","v":2,"q":{},"m":["c-lora"],"d":[]})", "\"m\""},
        {"v2 matched time a string", R"({"k":"knobs-lesson","v":2,"q":{},"m":{"c-lora":"now"},"d":[]})", "\"m\""},
        {"v2 rounds missing", R"({"k":"knobs-lesson","v":2,"q":{},"m":{}})", "\"d\""},
        {"v2 round without a time", R"({"k":"knobs-lesson","v":2,"q":{},"m":{},"d":[[5,6,1,4.5]]})", "finished round"},
        {"v2 impossible round", R"({"k":"knobs-lesson","v":2,"q":{},"m":{},"d":[[9,6,1,4.5,1]]})", "finished round"},
        {"v2 reset time a float", R"({"k":"knobs-lesson","v":2,"z":1.5,"q":{},"m":{},"d":[]})", "\"z\""},
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
    CHECK(ids(load.progress.matched) == std::set<std::string>{"c-lora"});
    CHECK(load.progress.rounds_completed() == 1);
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
    record_quiz(progress, quiz, kT0);
    REQUIRE(progress.quiz.size() == 2);
    CHECK(progress.quiz["q-latency"].time_ms == kT0);
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
    record_quiz(progress, live, kT0 + 500);
    CHECK(progress.quiz.size() == 2);
    // Unchanged answers keep their time: saving again must not make them newer than another tab's.
    CHECK(progress.quiz["q-latency"].time_ms == kT0);
    CHECK(progress.quiz["q-production"].time_ms == kT0);
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
        record_matched_pairs(progress, game, kT0 + p);
        record_matched_pairs(progress, game, kT0 + 100);  // idempotent: the first time stays
        if (out.completed) done = out.completed;
    }
    REQUIRE(done.has_value());
    CHECK(progress.matched.size() == 5);
    for (const auto& [id, time] : progress.matched) CHECK(time < kT0 + 100);
    record_round_completed(progress, *done, kT0 + 200);
    CHECK(progress.rounds_completed() == 1);
    REQUIRE(progress.best_round().has_value());
    CHECK(progress.best_round()->score == 5);

    // A worse round counts but does not replace the best; a faster perfect one does.
    record_round_completed(progress, MatchingCompleted{3, 5, 4, 10.0}, kT0 + 300);
    CHECK(progress.rounds_completed() == 2);
    CHECK(progress.best_round()->score == 5);
    record_round_completed(progress, MatchingCompleted{5, 5, 0, 1.0}, kT0 + 400);
    CHECK_THAT(progress.best_round()->duration_s, WithinAbs(1.0, 1e-12));

    const ProgressLoad load = parse_progress(serialize_progress(progress), &english());
    CHECK(load.progress == progress);

    reset_progress(progress, kT0 + 500);
    CHECK(progress.empty());
    CHECK(progress.reset_ms == kT0 + 500);
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

TEST_CASE("[lesson] progress: a version-1 record is read as recorded at time 0") {
    const std::string v1 =
        R"({"k":"knobs-lesson","v":1,"q":{"q-production":{"s":["o-inference"],"a":2}},"m":["c-lora","c-rag"],"n":3,"b":[5,6,1,41.25]})";
    const ProgressLoad load = parse_progress(v1, &english());
    INFO(load.reason);
    REQUIRE(load.status == ProgressStatus::restored);
    const Progress& p = load.progress;
    CHECK(p.quiz.at("q-production") == QuizRecord{{"o-inference"}, 2, false, 0});
    CHECK(p.matched == std::map<std::string, TimeMs>{{"c-lora", 0}, {"c-rag", 0}});
    CHECK(p.rounds_completed() == 3);  // counted, not listed
    REQUIRE(p.best_round());
    CHECK(p.best_round()->score == 5);
    // Written back as version 2, and read back the same.
    const std::string v2 = serialize_progress(p);
    CHECK(v2.find("\"v\":2") != std::string::npos);
    CHECK(parse_progress(v2, &english()).progress == p);
    // A reset made after the migration drops the untimed entries, the counted rounds too.
    Progress reset;
    reset.reset_ms = kT0;
    CHECK(merge_progress(p, reset).empty());
}

TEST_CASE("[lesson] progress: two tabs' records merge without losing an answer") {
    // Tab A answered one question, tab B another, each starting from the same stored record.
    Progress stored;
    stored.quiz["q-loss"] = QuizRecord{{"o-error"}, 1, false, kT0 + 1};
    Progress a = stored, b = stored;
    a.quiz["q-production"] = QuizRecord{{"o-inference"}, 1, false, kT0 + 10};
    a.matched["c-lora"] = kT0 + 11;
    a.rounds.push_back(RoundRecord{MatchingCompleted{4, 5, 2, 30.0}, kT0 + 12});
    b.quiz["q-latency"] = QuizRecord{{"o-forward-per-token"}, 2, false, kT0 + 20};
    b.matched["c-lora"] = kT0 + 21;
    b.matched["c-rag"] = kT0 + 22;
    b.rounds.push_back(RoundRecord{MatchingCompleted{5, 5, 0, 20.0}, kT0 + 23});

    const Progress ab = merge_progress(a, b);
    CHECK(ab.quiz.size() == 3);
    CHECK(ab.matched == std::map<std::string, TimeMs>{{"c-lora", kT0 + 21}, {"c-rag", kT0 + 22}});
    CHECK(ab.rounds_completed() == 2);
    CHECK(ab.best_round()->mistakes == 0);

    SECTION("the order of saves does not matter, and merging again changes nothing") {
        CHECK(merge_progress(b, a) == ab);
        CHECK(merge_progress(ab, a) == ab);
        CHECK(merge_progress(ab, ab) == ab);
        CHECK(merge_progress(merge_progress(a, stored), b) == merge_progress(a, merge_progress(stored, b)));
    }
    SECTION("the later answer to the same question wins, whichever tab saves last") {
        Progress later = a;
        later.quiz["q-production"] = QuizRecord{{"o-training"}, 2, false, kT0 + 50};
        CHECK(merge_progress(a, later).quiz.at("q-production").selected == std::vector<std::string>{"o-training"});
        CHECK(merge_progress(later, a).quiz.at("q-production").selected == std::vector<std::string>{"o-training"});
        // Same time, different answers (two tabs in the same millisecond): both tabs still agree.
        Progress tie = a;
        tie.quiz["q-production"] = QuizRecord{{"o-training"}, 1, false, kT0 + 10};
        CHECK(merge_progress(a, tie) == merge_progress(tie, a));
    }
    SECTION("a reset in one tab is not undone by the other tab's older answers") {
        Progress reset;
        reset_progress(reset, kT0 + 30);
        Progress merged = merge_progress(ab, reset);
        CHECK(merged.empty());
        CHECK(merged.reset_ms == kT0 + 30);
        // What the other tab records after the reset is kept.
        Progress after = b;
        after.quiz["q-loss"] = QuizRecord{{"o-error"}, 1, false, kT0 + 40};
        merged = merge_progress(after, reset);
        REQUIRE(merged.quiz.size() == 1);
        CHECK(merged.quiz.count("q-loss") == 1);
        CHECK(merged.rounds.empty());
    }
    SECTION("rounds past the cap are counted, not listed, and never counted twice") {
        Progress many;
        record_round_completed(many, MatchingCompleted{5, 5, 0, 1.0}, kT0);  // the best, and the oldest
        for (int i = 1; i < static_cast<int>(kMaxRoundsKept) + 20; ++i) record_round_completed(many, MatchingCompleted{1, 5, 9, 60.0}, kT0 + i);
        CHECK(many.rounds.size() == kMaxRoundsKept);
        CHECK(many.rounds_completed() == static_cast<int>(kMaxRoundsKept) + 20);
        CHECK(many.best_round()->mistakes == 0);
        CHECK(parse_progress(serialize_progress(many), &english()).progress == many);
        // Two tabs that both held those rounds each finish one more: 22 in all, whichever saves first.
        Progress tab_a = many, tab_b = many;
        record_round_completed(tab_a, MatchingCompleted{2, 5, 3, 30.0}, kT0 + 1000);
        record_round_completed(tab_b, MatchingCompleted{3, 5, 2, 20.0}, kT0 + 1001);
        const Progress both = merge_progress(tab_a, tab_b);
        CHECK(both.rounds_completed() == static_cast<int>(kMaxRoundsKept) + 22);
        CHECK(merge_progress(tab_b, tab_a) == both);
        CHECK(merge_progress(both, tab_a) == both);
        CHECK(merge_progress(both, many) == both);
    }
    SECTION("a finished lesson's record fits the 4,096 characters SCORM 1.2 keeps") {
        Progress full;
        for (const QuizQuestion& q : english().quiz) {
            std::vector<std::string> all;
            for (const QuizOption& o : q.options) all.push_back(o.id);
            full.quiz[q.id] = QuizRecord{q.kind == QuestionKind::single ? std::vector<std::string>{all.front()} : all, 99, true, kT0 + 999999};
        }
        for (const Concept& c : english().concepts) full.matched[c.id] = kT0 + 999999;
        for (int i = 0; i < 1000; ++i) record_round_completed(full, MatchingCompleted{6, 6, 12, 1234.567}, kT0 + 1000000 + i);
        full.reset_ms = kT0;
        const std::string saved = serialize_progress(full);
        INFO(saved.size() << " characters");
        CHECK(saved.size() < 4096);
        CHECK(full.rounds_completed() == 1000);
    }
}
