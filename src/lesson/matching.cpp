#include "lesson/matching.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <utility>

namespace knobs::lesson {
namespace {

// Fisher-Yates with the project's deterministic generator, so a seed reproduces a round on every
// platform (std::shuffle's use of the engine is implementation-defined).
template <class T>
void shuffle_in_place(std::vector<T>& items, Rng& rng) {
    for (std::size_t i = items.size(); i > 1; --i) {
        const std::size_t j = rng.below(static_cast<std::uint32_t>(i));
        std::swap(items[i - 1], items[j]);
    }
}

std::vector<int> iota_vector(int n) {
    std::vector<int> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}

}  // namespace

Result<MatchingGame> MatchingGame::create(std::vector<std::string> pool, std::uint64_t seed, int pairs_per_round) {
    if (pool.size() < static_cast<std::size_t>(kMinPairs))
        return Result<MatchingGame>::fail("the matching game needs at least " + std::to_string(kMinPairs) + " concepts, got " +
                                          std::to_string(pool.size()));
    std::set<std::string> seen;
    for (const auto& id : pool) {
        if (id.empty()) return Result<MatchingGame>::fail("the matching game got an empty concept id");
        if (!seen.insert(id).second) return Result<MatchingGame>::fail("the matching game got concept \"" + id + "\" twice");
    }
    const int available = static_cast<int>(std::min<std::size_t>(pool.size(), kMaxPairs));
    const int pairs = std::clamp(pairs_per_round, kMinPairs, available);
    return Result<MatchingGame>::ok(MatchingGame(std::move(pool), seed, pairs));
}

MatchingGame::MatchingGame(std::vector<std::string> pool, std::uint64_t seed, int pairs_per_round)
    : pool_(std::move(pool)), rng_(seed), pairs_per_round_(pairs_per_round) {
    new_round();
}

void MatchingGame::draw_pairs() {
    // Concepts the previous round did not show come first, so consecutive rounds cover the pool.
    const std::set<std::string> previous(pair_ids_.begin(), pair_ids_.end());
    std::vector<std::string> fresh, repeat;
    for (const auto& id : pool_) (previous.count(id) ? repeat : fresh).push_back(id);
    shuffle_in_place(fresh, rng_);
    shuffle_in_place(repeat, rng_);
    fresh.insert(fresh.end(), repeat.begin(), repeat.end());
    fresh.resize(static_cast<std::size_t>(pairs_per_round_));
    pair_ids_ = std::move(fresh);
}

void MatchingGame::shuffle_columns() {
    const int n = pair_count();
    term_rows_ = iota_vector(n);
    shuffle_in_place(term_rows_, rng_);
    // A definition sitting right next to its own term would be a free point, so reshuffle until no
    // row lines up. With n >= 5 about 37% of shuffles qualify; the rotation fallback (always valid)
    // is there only to bound the loop.
    for (int tries = 0; tries < 64; ++tries) {
        definition_rows_ = iota_vector(n);
        shuffle_in_place(definition_rows_, rng_);
        bool aligned = false;
        for (int r = 0; r < n; ++r) aligned = aligned || definition_rows_[static_cast<std::size_t>(r)] == term_rows_[static_cast<std::size_t>(r)];
        if (!aligned) return;
    }
    for (int r = 0; r < n; ++r)
        definition_rows_[static_cast<std::size_t>(r)] = term_rows_[static_cast<std::size_t>((r + 1) % n)];
}

void MatchingGame::reset_attempt() {
    const auto n = static_cast<std::size_t>(pair_count());
    pair_matched_.assign(n, false);
    pair_penalised_.assign(n, false);
    selected_.reset();
    focused_ = 0;
    feedback_ = MatchFeedback{};
    matched_count_ = 0;
    mistakes_ = 0;
    started_at_s_.reset();
    finished_at_s_.reset();
    completed_.reset();
}

void MatchingGame::retry() {
    ++attempt_;
    shuffle_columns();
    reset_attempt();
}

void MatchingGame::new_round() {
    ++round_;
    attempt_ = 1;
    draw_pairs();
    shuffle_columns();
    reset_attempt();
}

int MatchingGame::pair_at(int card_index) const {
    const auto row = static_cast<std::size_t>(row_of(card_index));
    return card_index < pair_count() ? term_rows_[row] : definition_rows_[row];
}

bool MatchingGame::is_locked(int card_index) const {
    return pair_matched_[static_cast<std::size_t>(pair_at(card_index))];
}

MatchCard MatchingGame::card(int index) const {
    if (index < 0 || index >= card_count()) return MatchCard{MatchSide::term, -1, false};
    return MatchCard{index < pair_count() ? MatchSide::term : MatchSide::definition, pair_at(index), is_locked(index)};
}

TapOutcome MatchingGame::tap(int index, double now_s) {
    TapOutcome outcome;
    if (index < 0 || index >= card_count() || complete() || is_locked(index)) return outcome;
    if (!started_at_s_) started_at_s_ = now_s;

    if (!selected_) {
        selected_ = index;
        outcome.result = TapResult::selected;
        return outcome;
    }
    if (*selected_ == index) {
        selected_.reset();
        outcome.result = TapResult::deselected;
        return outcome;
    }
    const bool same_column = (*selected_ < pair_count()) == (index < pair_count());
    if (same_column) {
        selected_ = index;
        outcome.result = TapResult::switched;
        return outcome;
    }

    const int first = *selected_;
    const int first_pair = pair_at(first);
    selected_.reset();
    if (first_pair == pair_at(index)) {
        pair_matched_[static_cast<std::size_t>(first_pair)] = true;
        ++matched_count_;
        feedback_ = MatchFeedback{TapResult::matched, first, index, now_s};
        outcome.result = TapResult::matched;
        if (complete()) {
            finished_at_s_ = now_s;
            completed_ = MatchingCompleted{score(), max_score(), mistakes_, elapsed_s(now_s)};
            outcome.completed = completed_;
        } else if (is_locked(focused_)) {
            move_focus(FocusMove::next);  // keep keyboard users on a card they can still use
        }
        return outcome;
    }
    ++mistakes_;
    pair_penalised_[static_cast<std::size_t>(first_pair)] = true;
    feedback_ = MatchFeedback{TapResult::wrong, first, index, now_s};
    outcome.result = TapResult::wrong;
    return outcome;
}

int MatchingGame::score() const {
    int points = 0;
    for (std::size_t p = 0; p < pair_matched_.size(); ++p) points += pair_matched_[p] && !pair_penalised_[p] ? 1 : 0;
    return points;
}

double MatchingGame::elapsed_s(double now_s) const {
    if (!started_at_s_) return 0;
    const double end = finished_at_s_ ? *finished_at_s_ : now_s;
    return std::max(0.0, end - *started_at_s_);  // a clock that steps back never shows negative time
}

std::vector<std::string> MatchingGame::matched_ids() const {
    std::vector<std::string> ids;
    for (std::size_t p = 0; p < pair_ids_.size(); ++p)
        if (pair_matched_[p]) ids.push_back(pair_ids_[p]);
    return ids;
}

void MatchingGame::set_focus(int index) {
    if (index >= 0 && index < card_count()) focused_ = index;
}

void MatchingGame::move_focus(FocusMove move) {
    const int n = pair_count();
    const bool in_terms = focused_ < n;
    const int row = row_of(focused_);
    auto try_focus = [&](int index) {
        if (is_locked(index)) return false;
        focused_ = index;
        return true;
    };
    switch (move) {
        case FocusMove::up:
            for (int r = row - 1; r >= 0; --r)
                if (try_focus(card_index(in_terms ? MatchSide::term : MatchSide::definition, r))) return;
            return;
        case FocusMove::down:
            for (int r = row + 1; r < n; ++r)
                if (try_focus(card_index(in_terms ? MatchSide::term : MatchSide::definition, r))) return;
            return;
        case FocusMove::left:
        case FocusMove::right: {
            const MatchSide target = move == FocusMove::left ? MatchSide::term : MatchSide::definition;
            if ((target == MatchSide::term) == in_terms) return;
            // The nearest usable row in the other column, preferring the same row, then upwards.
            for (int d = 0; d < n; ++d) {
                if (row - d >= 0 && try_focus(card_index(target, row - d))) return;
                if (d > 0 && row + d < n && try_focus(card_index(target, row + d))) return;
            }
            return;
        }
        case FocusMove::next:
        case FocusMove::previous: {
            const int total = card_count();
            const int step = move == FocusMove::next ? 1 : total - 1;
            for (int k = 1; k < total; ++k)
                if (try_focus((focused_ + k * step) % total)) return;
            return;
        }
    }
}

}  // namespace knobs::lesson
