// The learner's progress as a small JSON string, which the page keeps in localStorage.
//
// What is kept: the last checked answer of every quiz question, the concepts matched at least once,
// how many matching rounds were finished and the best one. Everything is keyed by content ids, so
// progress survives a language switch. Anything read back is treated as untrusted: corrupt or foreign
// data is discarded with a reason (never a crash), and entries that no longer fit the current content
// are dropped one by one and listed.
//
// Format (version 1), e.g.
//   {"k":"knobs-lesson","v":1,"q":{"q-production":{"s":["o-inference"],"a":1}},"m":["c-lora"],"n":2,
//    "b":[5,6,1,41.2]}
// k: tag, v: version, q: question id -> {s: selected option ids, a: attempts, r: solution shown (omitted
// when false)}, m: matched concept ids, n: rounds completed, b: best round [score, max, mistakes, seconds].
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
inline constexpr int kProgressVersion = 1;

struct QuizRecord {
    std::vector<std::string> selected;  // option ids, in authoring order
    int attempts = 1;
    bool solution_shown = false;
    bool operator==(const QuizRecord&) const = default;
};

struct Progress {
    std::map<std::string, QuizRecord> quiz;  // question id -> last checked answer
    std::set<std::string> matched;           // concept ids matched at least once
    int rounds_completed = 0;
    std::optional<MatchingCompleted> best_round;

    bool empty() const { return quiz.empty() && matched.empty() && rounds_completed == 0 && !best_round; }
    bool operator==(const Progress& other) const;
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

// Snapshot of the quiz: every checked question's answer replaces what was stored; questions reopened
// by a retry keep their previous record until they are checked again.
void record_quiz(Progress& progress, const QuizSession& quiz);
// Adds the pairs matched in the game's current attempt (idempotent: safe to call every frame).
void record_matched_pairs(Progress& progress, const MatchingGame& game);
// Counts a finished round and keeps the best (higher score, then fewer mistakes, then faster).
void record_round_completed(Progress& progress, const MatchingCompleted& round);
// Puts saved answers back into a session (no events). Returns how many questions were restored.
int restore_quiz(QuizSession& quiz, const Progress& progress);
void reset_progress(Progress& progress);

}  // namespace knobs::lesson
