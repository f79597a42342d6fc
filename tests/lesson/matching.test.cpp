// The matching game: tap sequences, scoring, time, rounds, determinism and keyboard focus.
#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "lesson/content.h"
#include "lesson/matching.h"

using namespace knobs::lesson;
using Catch::Matchers::WithinAbs;

namespace {

std::vector<std::string> pool_of(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back("c-" + std::to_string(i));
    return ids;
}

MatchingGame make_game(std::uint64_t seed = 7, int pool = 16, int pairs = 6) {
    auto made = MatchingGame::create(pool_of(pool), seed, pairs);
    REQUIRE(made);
    return std::move(*made.value);
}

// The card showing `side` of `pair`; the test knows the answer key the learner has to find.
int card_of(const MatchingGame& g, MatchSide side, int pair) {
    for (int i = 0; i < g.card_count(); ++i)
        if (g.card(i).side == side && g.card(i).pair == pair) return i;
    FAIL("no such card");
    return -1;
}

// A layout fingerprint: the concept id on every card, in card order.
std::vector<std::string> layout(const MatchingGame& g) {
    std::vector<std::string> out;
    for (int i = 0; i < g.card_count(); ++i) out.push_back(g.pair_id(g.card(i).pair));
    return out;
}

}  // namespace

TEST_CASE("[lesson] matching: concept then definition") {
    MatchingGame g = make_game();
    REQUIRE(g.pair_count() == 6);
    const int term = card_of(g, MatchSide::term, 0), definition = card_of(g, MatchSide::definition, 0);
    CHECK(term < g.pair_count());
    CHECK(definition >= g.pair_count());

    CHECK(g.tap(term, 10.0).result == TapResult::selected);
    CHECK(g.selected() == term);
    const TapOutcome out = g.tap(definition, 12.5);
    CHECK(out.result == TapResult::matched);
    CHECK_FALSE(out.completed.has_value());
    CHECK_FALSE(g.selected().has_value());
    CHECK(g.card(term).matched);
    CHECK(g.card(definition).matched);
    CHECK(g.matched_pairs() == 1);
    CHECK(g.score() == 1);
    CHECK(g.mistakes() == 0);
    CHECK(g.last_feedback().result == TapResult::matched);
    CHECK(g.last_feedback().card_a == term);
    CHECK(g.last_feedback().card_b == definition);
    CHECK_THAT(g.last_feedback().at_s, WithinAbs(12.5, 1e-12));
    CHECK(g.matched_ids() == std::vector<std::string>{g.pair_id(0)});
}

TEST_CASE("[lesson] matching: definition then concept") {
    MatchingGame g = make_game();
    const int term = card_of(g, MatchSide::term, 3), definition = card_of(g, MatchSide::definition, 3);
    CHECK(g.tap(definition, 0).result == TapResult::selected);
    CHECK(g.tap(term, 1).result == TapResult::matched);
    CHECK(g.card(term).matched);
    CHECK(g.score() == 1);
}

TEST_CASE("[lesson] matching: a wrong pair counts a mistake and shows feedback") {
    MatchingGame g = make_game();
    const int term0 = card_of(g, MatchSide::term, 0), def1 = card_of(g, MatchSide::definition, 1);
    g.tap(term0, 1.0);
    const TapOutcome out = g.tap(def1, 2.0);
    CHECK(out.result == TapResult::wrong);
    CHECK(g.mistakes() == 1);
    CHECK_FALSE(g.selected().has_value());
    CHECK_FALSE(g.card(term0).matched);
    CHECK_FALSE(g.card(def1).matched);
    CHECK(g.last_feedback().result == TapResult::wrong);
    CHECK(g.last_feedback().card_a == term0);
    CHECK(g.last_feedback().card_b == def1);

    SECTION("the pair the wrong guess started from loses its point") {
        g.tap(term0, 3);
        g.tap(card_of(g, MatchSide::definition, 0), 4);
        CHECK(g.matched_pairs() == 1);
        CHECK(g.score() == 0);
        // Pair 1 was only the wrong target, so it still scores when matched.
        g.tap(card_of(g, MatchSide::definition, 1), 5);
        g.tap(card_of(g, MatchSide::term, 1), 6);
        CHECK(g.score() == 1);
    }
    SECTION("starting from the definition penalises the definition's pair") {
        g.tap(card_of(g, MatchSide::definition, 2), 3);
        CHECK(g.tap(card_of(g, MatchSide::term, 4), 4).result == TapResult::wrong);
        CHECK(g.mistakes() == 2);
        g.tap(card_of(g, MatchSide::term, 4), 5);
        g.tap(card_of(g, MatchSide::definition, 4), 6);
        CHECK(g.score() == 1);  // pair 4 was only the target
        g.tap(card_of(g, MatchSide::term, 2), 7);
        g.tap(card_of(g, MatchSide::definition, 2), 8);
        CHECK(g.score() == 1);  // pair 2 started a wrong guess
    }
}

TEST_CASE("[lesson] matching: re-tap deselects and same-column taps move the selection") {
    MatchingGame g = make_game();
    const int t0 = card_of(g, MatchSide::term, 0), t1 = card_of(g, MatchSide::term, 1);
    const int d0 = card_of(g, MatchSide::definition, 0), d1 = card_of(g, MatchSide::definition, 1);
    CHECK(g.tap(t0, 0).result == TapResult::selected);
    CHECK(g.tap(t0, 0).result == TapResult::deselected);
    CHECK_FALSE(g.selected().has_value());
    CHECK(g.tap(t0, 0).result == TapResult::selected);
    CHECK(g.tap(t1, 0).result == TapResult::switched);
    CHECK(g.selected() == t1);
    CHECK(g.tap(d0, 0).result == TapResult::wrong);  // t1 with d0
    CHECK(g.tap(d1, 0).result == TapResult::selected);
    CHECK(g.tap(d0, 0).result == TapResult::switched);
    CHECK(g.tap(t0, 0).result == TapResult::matched);
    CHECK(g.mistakes() == 1);
}

TEST_CASE("[lesson] matching: matched cards lock") {
    MatchingGame g = make_game();
    const int t0 = card_of(g, MatchSide::term, 0), d0 = card_of(g, MatchSide::definition, 0);
    g.tap(t0, 0);
    g.tap(d0, 0);
    CHECK(g.tap(t0, 1).result == TapResult::ignored);
    CHECK(g.tap(d0, 1).result == TapResult::ignored);
    // A locked card can't be used as a guess target either.
    g.tap(card_of(g, MatchSide::term, 1), 2);
    CHECK(g.tap(d0, 3).result == TapResult::ignored);
    CHECK(g.selected().has_value());
    CHECK(g.mistakes() == 0);
    CHECK(g.tap(-1, 0).result == TapResult::ignored);
    CHECK(g.tap(g.card_count(), 0).result == TapResult::ignored);
}

TEST_CASE("[lesson] matching: completion produces the event once") {
    const int pairs = GENERATE(5, 6);
    const auto seed = GENERATE(1u, 99u, 12345u);
    auto made = MatchingGame::create(pool_of(14), seed, pairs);
    REQUIRE(made);
    MatchingGame& g = *made.value;
    REQUIRE(g.pair_count() == pairs);

    // One mistake on the last pair, then solve everything in order, 2 seconds per tap.
    double now = 100.0;
    g.tap(card_of(g, MatchSide::term, pairs - 1), now);
    g.tap(card_of(g, MatchSide::definition, 0), now += 2);
    std::optional<MatchingCompleted> event;
    for (int p = 0; p < pairs; ++p) {
        CHECK_FALSE(g.complete());
        g.tap(card_of(g, MatchSide::term, p), now += 2);
        const TapOutcome out = g.tap(card_of(g, MatchSide::definition, p), now += 2);
        REQUIRE(out.result == TapResult::matched);
        if (out.completed) {
            CHECK(p == pairs - 1);
            event = out.completed;
        }
    }
    REQUIRE(event.has_value());
    CHECK(g.complete());
    CHECK(event->score == pairs - 1);
    CHECK(event->max == pairs);
    CHECK(event->mistakes == 1);
    CHECK_THAT(event->duration_s, WithinAbs(2.0 * (1 + 2 * pairs), 1e-9));
    CHECK(g.completed_event().has_value());
    // The round is over: taps are ignored and the clock is frozen.
    CHECK(g.tap(0, now + 50).result == TapResult::ignored);
    CHECK_THAT(g.elapsed_s(now + 1000), WithinAbs(event->duration_s, 1e-9));
}

TEST_CASE("[lesson] matching: the clock starts at the first tap") {
    MatchingGame g = make_game();
    CHECK_THAT(g.elapsed_s(500), WithinAbs(0.0, 1e-12));
    g.tap(0, 40.0);
    CHECK_THAT(g.elapsed_s(41.5), WithinAbs(1.5, 1e-12));
    CHECK_THAT(g.elapsed_s(39.0), WithinAbs(0.0, 1e-12));  // a clock stepping back never goes negative
}

TEST_CASE("[lesson] matching: retry keeps the pairs, new round draws others") {
    MatchingGame g = make_game(3, 16, 6);
    const std::vector<std::string> first = g.pair_ids();
    g.tap(card_of(g, MatchSide::term, 0), 1);
    g.tap(card_of(g, MatchSide::definition, 1), 2);  // a mistake
    g.tap(card_of(g, MatchSide::term, 2), 3);
    g.tap(card_of(g, MatchSide::definition, 2), 4);  // a match

    SECTION("retry") {
        g.retry();
        CHECK(g.attempt() == 2);
        CHECK(g.round_number() == 1);
        CHECK(g.pair_ids() == first);
        CHECK(g.mistakes() == 0);
        CHECK(g.matched_pairs() == 0);
        CHECK(g.score() == 0);
        CHECK_FALSE(g.selected().has_value());
        CHECK(g.last_feedback().result == TapResult::ignored);
        CHECK_THAT(g.elapsed_s(100), WithinAbs(0.0, 1e-12));
    }
    SECTION("new round with a large pool shows only unseen concepts") {
        g.new_round();
        CHECK(g.round_number() == 2);
        CHECK(g.attempt() == 1);
        const std::set<std::string> a(first.begin(), first.end());
        for (const auto& id : g.pair_ids()) CHECK(a.count(id) == 0);
        CHECK(g.mistakes() == 0);
    }
}

TEST_CASE("[lesson] matching: a small pool still rotates through every concept") {
    auto made = MatchingGame::create(pool_of(8), 5, 6);
    REQUIRE(made);
    MatchingGame& g = *made.value;
    const std::set<std::string> first(g.pair_ids().begin(), g.pair_ids().end());
    g.new_round();
    const std::set<std::string> second(g.pair_ids().begin(), g.pair_ids().end());
    CHECK(second.size() == 6);
    std::set<std::string> both = first;
    both.insert(second.begin(), second.end());
    CHECK(both.size() == 8);  // the two concepts left out of round 1 are in round 2
}

TEST_CASE("[lesson] matching: shuffle is deterministic by seed") {
    const auto seed = GENERATE(0u, 1u, 42u, 2024u);
    MatchingGame a = make_game(seed), b = make_game(seed);
    for (int round = 0; round < 4; ++round) {
        CHECK(a.pair_ids() == b.pair_ids());
        CHECK(layout(a) == layout(b));
        a.retry();
        b.retry();
        CHECK(layout(a) == layout(b));
        a.new_round();
        b.new_round();
    }
    MatchingGame other = make_game(seed + 1000);
    CHECK(layout(other) != layout(make_game(seed)));
}

TEST_CASE("[lesson] matching: no definition starts beside its own term") {
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        MatchingGame g = make_game(seed, 16, 5 + static_cast<int>(seed % 2));
        for (int round = 0; round < 2; ++round) {
            for (int row = 0; row < g.pair_count(); ++row)
                CHECK(g.card(g.card_index(MatchSide::term, row)).pair != g.card(g.card_index(MatchSide::definition, row)).pair);
            g.retry();
        }
    }
}

TEST_CASE("[lesson] matching: the columns are permutations of the drawn pairs") {
    MatchingGame g = make_game(11);
    std::vector<int> terms, definitions;
    for (int row = 0; row < g.pair_count(); ++row) {
        terms.push_back(g.card(g.card_index(MatchSide::term, row)).pair);
        definitions.push_back(g.card(g.card_index(MatchSide::definition, row)).pair);
    }
    std::sort(terms.begin(), terms.end());
    std::sort(definitions.begin(), definitions.end());
    CHECK(terms == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(definitions == terms);
    CHECK(g.card(-1).pair == -1);
}

TEST_CASE("[lesson] matching: bad pools are refused with a reason") {
    SECTION("too small") {
        const auto made = MatchingGame::create(pool_of(4), 1);
        CHECK_FALSE(made);
        CHECK(made.error.find("at least 5") != std::string::npos);
    }
    SECTION("duplicates") {
        auto ids = pool_of(6);
        ids[5] = ids[0];
        const auto made = MatchingGame::create(ids, 1);
        CHECK_FALSE(made);
        CHECK(made.error.find("\"c-0\" twice") != std::string::npos);
    }
    SECTION("empty id") {
        auto ids = pool_of(6);
        ids[2].clear();
        CHECK_FALSE(MatchingGame::create(ids, 1));
    }
    SECTION("pairs per round is clamped") {
        CHECK(MatchingGame::create(pool_of(16), 1, 2).value->pair_count() == 5);
        CHECK(MatchingGame::create(pool_of(16), 1, 40).value->pair_count() == 6);
        CHECK(MatchingGame::create(pool_of(5), 1, 6).value->pair_count() == 5);
    }
}

TEST_CASE("[lesson] matching: keyboard focus drives the game") {
    MatchingGame g = make_game(21);
    const int n = g.pair_count();
    CHECK(g.focused() == 0);
    g.move_focus(FocusMove::up);
    CHECK(g.focused() == 0);  // top of the column: stays
    g.move_focus(FocusMove::down);
    CHECK(g.focused() == 1);
    g.move_focus(FocusMove::right);
    CHECK(g.focused() == n + 1);  // same row, definition column
    g.move_focus(FocusMove::right);
    CHECK(g.focused() == n + 1);
    g.move_focus(FocusMove::left);
    CHECK(g.focused() == 1);
    g.move_focus(FocusMove::previous);
    CHECK(g.focused() == 0);
    g.move_focus(FocusMove::previous);
    CHECK(g.focused() == 2 * n - 1);  // wraps around
    g.move_focus(FocusMove::next);
    CHECK(g.focused() == 0);

    // Solve the pair in row 0 with Enter on both cards.
    const int pair = g.card(0).pair;
    const int def = card_of(g, MatchSide::definition, pair);
    CHECK(g.activate_focused(1).result == TapResult::selected);
    g.set_focus(def);
    CHECK(g.focused() == def);
    CHECK(g.activate_focused(2).result == TapResult::matched);
    CHECK(g.focused() != def);  // moved off the locked card
    CHECK_FALSE(g.card(g.focused()).matched);

    // Locked cards are skipped by arrows.
    g.set_focus(1);
    g.move_focus(FocusMove::up);
    CHECK(g.focused() == 1);  // row 0 of the terms is locked
    g.set_focus(def == n ? n + 1 : n);
    const int row_before = g.focused() - n;
    g.move_focus(FocusMove::left);
    CHECK(g.focused() < n);
    CHECK_FALSE(g.card(g.focused()).matched);
    CHECK(std::abs(g.focused() - row_before) <= 1);
    g.set_focus(-3);
    CHECK(g.focused() >= 0);
}

TEST_CASE("[lesson] matching: a round built from the lesson's concepts") {
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    const std::vector<std::string> ids = library.languages[0].concept_ids();
    REQUIRE(ids.size() == library.languages[0].concepts.size());
    CHECK(ids.front() == library.languages[0].concepts.front().id);
    auto made = MatchingGame::create(ids, 2024);
    REQUIRE(made);
    for (const auto& id : made.value->pair_ids()) {
        // Every drawn pair has text in both languages.
        CHECK(library.languages[0].find_concept(id) != nullptr);
        CHECK(library.languages[1].find_concept(id) != nullptr);
    }
}
