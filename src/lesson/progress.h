// The learner's progress as a small JSON string, which the page keeps in localStorage.
//
// What is kept: the last checked answer of every quiz question, the concepts matched, and the finished
// matching rounds. Everything is keyed by content ids, so progress survives a language switch. Anything
// read back is treated as untrusted: corrupt or foreign data is discarded with a reason (never a crash),
// and entries that no longer fit the current content are dropped one by one and listed.
//
// Two tabs of the same lesson write the same record, so every entry carries the time it was recorded
// (milliseconds since the Unix epoch, from the platform's wall clock) and a save merges what is stored
// with what the tab holds (merge_progress): the later answer to a question wins, matched concepts and
// finished rounds are united, and a reset is a time, before which everything is dropped. No tab's answer
// is lost to another tab's save, and a reset in one tab is not undone by another.
//
// Format (version 2), e.g.
//   {"k":"knobs-lesson","v":2,"z":1765000000000,"q":{"q-production":{"s":["o-inference"],"a":1,"t":1765000001000}},
//    "m":{"c-lora":1765000002000},"d":[[5,6,1,41.2,1765000003000]],"b":[5,6,1,41.2,1765000003000]}
// k: tag, v: version, z: time of the last reset (omitted when never), q: question id -> {s: selected
// option ids, a: attempts, r: solution shown (omitted when false), t: time}, m: matched concept id ->
// time, d: the most recent finished rounds [score, max, mistakes, seconds, time], oldest first, b: the
// best round (omitted before the first), e and c: how many rounds finished no later than time c are no
// longer listed (omitted when 0). The record stays small (about 2 KB when everything is done), because a
// SCORM 1.2 course platform keeps at most 4,096 characters of it (scorm/knobs-scorm.js).
// Version 1 (no times; "m" a list, "n" a round count, "b" the best round) is still read, as if every entry
// had been recorded at time 0.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lesson/content.h"
#include "lesson/matching.h"
#include "lesson/quiz.h"

namespace knobs::lesson {

inline constexpr std::string_view kProgressTag = "knobs-lesson";
inline constexpr int kProgressVersion = 2;
// At most this many finished rounds are listed (the newest); older ones are counted (and the best is kept).
inline constexpr std::size_t kMaxRoundsKept = 20;

using TimeMs = std::int64_t;  // milliseconds since the Unix epoch

struct QuizRecord {
    std::vector<std::string> selected;  // option ids, in authoring order
    int attempts = 1;
    bool solution_shown = false;
    TimeMs time_ms = 0;  // when this answer was checked (or its solution shown)
    bool same_answer(const QuizRecord& other) const {
        return selected == other.selected && attempts == other.attempts && solution_shown == other.solution_shown;
    }
    bool operator==(const QuizRecord&) const = default;
};

struct RoundRecord {
    MatchingCompleted round;
    TimeMs time_ms = 0;  // when the round was finished
    bool operator==(const RoundRecord& other) const;
};

struct Progress {
    std::map<std::string, QuizRecord> quiz;  // question id -> last checked answer
    std::map<std::string, TimeMs> matched;   // concept id -> when it was last matched
    std::vector<RoundRecord> rounds;         // the newest finished rounds, oldest first (kMaxRoundsKept)
    std::optional<RoundRecord> best;         // the best round ever finished (since the last reset)
    int earlier_rounds = 0;                  // rounds finished no later than earlier_until_ms, not listed
    TimeMs earlier_until_ms = 0;
    TimeMs reset_ms = 0;                     // the last reset: nothing recorded before it counts

    int rounds_completed() const { return earlier_rounds + static_cast<int>(rounds.size()); }
    std::optional<MatchingCompleted> best_round() const { return best ? std::optional(best->round) : std::nullopt; }
    bool empty() const { return quiz.empty() && matched.empty() && rounds.empty() && !best && earlier_rounds == 0; }
    bool operator==(const Progress& other) const = default;
};

std::string serialize_progress(const Progress& progress);

enum class ProgressStatus : std::uint8_t {
    fresh,      // nothing was saved (empty input): a first visit, not an error
    restored,   // read back (possibly with some stale entries dropped, see `dropped`)
    discarded,  // unusable; `reason` says why and `progress` is empty
};
struct ProgressLoad {
    Progress progress;
    ProgressStatus status = ProgressStatus::fresh;
    std::string reason;                // for discarded
    std::vector<std::string> dropped;  // for restored: one sentence per entry that no longer fits the content
};
// With `lesson`, question, option and concept ids are checked against it; without, only the shape is.
ProgressLoad parse_progress(std::string_view text, const Content* lesson = nullptr);

// What two tabs' records become together: for each question the later answer (ties go to the larger
// record, so the result does not depend on the order), every matched concept at its latest time, every
// finished round once, the later reset, and nothing recorded before that reset. Commutative, associative
// and idempotent, so any order of saves from any number of tabs ends in the same record.
Progress merge_progress(const Progress& a, const Progress& b);

// Snapshot of the quiz: a checked question whose answer differs from the stored one is recorded at `now`;
// an unchanged one keeps its time (so an older tab never outdates a newer tab's answer by saving again);
// questions reopened by a retry keep their previous record until they are checked again.
void record_quiz(Progress& progress, const QuizSession& quiz, TimeMs now);
// Adds the pairs matched in the game's current attempt at `now` (idempotent: safe to call every frame).
void record_matched_pairs(Progress& progress, const MatchingGame& game, TimeMs now);
// Adds a finished round (and keeps it as the best if it is); past kMaxRoundsKept the oldest is counted
// instead of listed.
void record_round_completed(Progress& progress, const MatchingCompleted& round, TimeMs now);
// Puts saved answers back into a session (no events). Returns how many questions were restored.
int restore_quiz(QuizSession& quiz, const Progress& progress);
// Forgets everything, and remembers when: another tab's older entries are dropped when the records merge.
void reset_progress(Progress& progress, TimeMs now);

}  // namespace knobs::lesson
