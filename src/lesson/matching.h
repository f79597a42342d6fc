// The "match concept to definition" game, as pure state: no UI, no clock, no global randomness.
// The panel draws two columns of cards (terms on the left, definitions on the right), forwards taps or
// keyboard input here, and reads back what to highlight. Texts are looked up by concept id in the
// current language's Content, so switching language mid-round keeps the round.
//
// Rules:
//   * A round draws 5-6 concepts from the pool and shuffles both columns; the same seed and the same
//     sequence of calls always give the same rounds.
//   * Tap a card to select it; tap it again to deselect; tap another card of the same column to move
//     the selection. Tapping a card of the other column makes a guess: a right guess locks both cards,
//     a wrong one counts a mistake and leaves a "wrong" feedback on both cards.
//   * Score: a pair scores a point when it is matched without a wrong guess made *from* it first
//     (the card selected first is the one being answered). So the final score is "pairs right on the
//     first try", out of the number of pairs.
//   * Time runs from the first tap of the round to the last match; the caller passes the clock.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "lesson/result.h"

namespace knobs::lesson {

enum class MatchSide : std::uint8_t { term, definition };

struct MatchCard {
    MatchSide side = MatchSide::term;
    int pair = 0;          // index into the round's pairs (see MatchingGame::pair_id)
    bool matched = false;  // locked: taps are ignored
};

enum class TapResult : std::uint8_t {
    selected,    // nothing was selected; now this card is
    deselected,  // the selected card was tapped again
    switched,    // another card of the same column was selected; the selection moved
    matched,     // a right guess; both cards are now locked
    wrong,       // a wrong guess; counted as a mistake, selection cleared
    ignored,     // a locked card, an index out of range, or the round is over
};

struct MatchingCompleted {
    int score = 0;  // pairs matched on the first try
    int max = 0;    // pairs in the round
    int mistakes = 0;
    double duration_s = 0;
};

struct TapOutcome {
    TapResult result = TapResult::ignored;
    std::optional<MatchingCompleted> completed;  // set by the tap that matches the last pair
};

// The last guess, so the UI can flash both cards (green or red) for a moment after `at_s`.
struct MatchFeedback {
    TapResult result = TapResult::ignored;  // matched or wrong; ignored when there is nothing to show
    int card_a = -1, card_b = -1;           // the first-selected card, then the guessed one
    double at_s = 0;
};

enum class FocusMove : std::uint8_t { up, down, left, right, next, previous };

class MatchingGame {
public:
    static constexpr int kMinPairs = 5;
    static constexpr int kMaxPairs = 6;

    // `pool`: the concept ids to draw from (at least kMinPairs, no duplicates, no empty ids).
    // `pairs_per_round` is clamped to [kMinPairs, kMaxPairs] and to the pool size.
    static Result<MatchingGame> create(std::vector<std::string> pool, std::uint64_t seed, int pairs_per_round = kMaxPairs);

    // ---- the round ----
    int pair_count() const { return static_cast<int>(pair_ids_.size()); }
    const std::string& pair_id(int pair) const { return pair_ids_[static_cast<std::size_t>(pair)]; }
    const std::vector<std::string>& pair_ids() const { return pair_ids_; }
    // Cards 0..n-1 are the term column top to bottom, n..2n-1 the definition column top to bottom.
    int card_count() const { return 2 * pair_count(); }
    MatchCard card(int index) const;
    int card_index(MatchSide side, int row) const { return side == MatchSide::term ? row : pair_count() + row; }
    int round_number() const { return round_; }  // 1 for the first round, +1 per new_round()
    int attempt() const { return attempt_; }     // 1 for a fresh round, +1 per retry()

    // ---- input ----
    TapOutcome tap(int card_index, double now_s);
    int focused() const { return focused_; }
    void set_focus(int card_index);  // out-of-range indices are ignored
    void move_focus(FocusMove move);  // skips locked cards; stays put when there is nowhere to go
    TapOutcome activate_focused(double now_s) { return tap(focused_, now_s); }

    // ---- state for drawing ----
    std::optional<int> selected() const { return selected_; }
    const MatchFeedback& last_feedback() const { return feedback_; }
    int matched_pairs() const { return matched_count_; }
    bool complete() const { return matched_count_ == pair_count(); }
    int mistakes() const { return mistakes_; }
    int score() const;  // pairs matched so far without a wrong guess from them
    int max_score() const { return pair_count(); }
    double elapsed_s(double now_s) const;  // 0 before the first tap; frozen once complete
    const std::optional<MatchingCompleted>& completed_event() const { return completed_; }
    std::vector<std::string> matched_ids() const;  // concept ids matched in this attempt, in pair order

    // ---- flow ----
    void retry();      // the same pairs, reshuffled; mistakes, score and time reset
    void new_round();  // a fresh draw, preferring concepts the previous round did not show

private:
    MatchingGame(std::vector<std::string> pool, std::uint64_t seed, int pairs_per_round);
    void draw_pairs();
    void shuffle_columns();
    void reset_attempt();
    bool is_locked(int card_index) const;
    int row_of(int card_index) const { return card_index % pair_count(); }
    int pair_at(int card_index) const;

    std::vector<std::string> pool_;
    Rng rng_;
    int pairs_per_round_ = kMaxPairs;
    int round_ = 0, attempt_ = 0;

    std::vector<std::string> pair_ids_;  // (n) the drawn concept ids
    std::vector<int> term_rows_;         // (n) pair shown in each row of the term column
    std::vector<int> definition_rows_;   // (n) pair shown in each row of the definition column
    std::vector<bool> pair_matched_;     // (n)
    std::vector<bool> pair_penalised_;   // (n) a wrong guess was made from this pair before it matched

    std::optional<int> selected_;
    int focused_ = 0;
    MatchFeedback feedback_;
    int matched_count_ = 0, mistakes_ = 0;
    std::optional<double> started_at_s_;
    std::optional<double> finished_at_s_;
    std::optional<MatchingCompleted> completed_;
};

}  // namespace knobs::lesson
