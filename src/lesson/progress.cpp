// Progress <-> JSON. The input comes from localStorage, which other pages on the same origin, older
// builds or a curious learner may have written, so every value is type-checked before it is used and
// nothing here throws (see content.cpp for why).
#include "lesson/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

namespace knobs::lesson {
namespace {

using Json = nlohmann::json;

// localStorage holds a few megabytes per origin; a real record is well under a kilobyte per question.
constexpr std::size_t kMaxProgressBytes = 64 * 1024;
constexpr int kMaxAttempts = 1000000;
constexpr std::size_t kMaxSelected = 16;
constexpr std::size_t kMaxConcepts = 256;

bool is_plain_id(const Json& v) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    return !s.empty() && s.size() <= 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

ProgressLoad discard(std::string reason) {
    ProgressLoad load;
    load.status = ProgressStatus::discarded;
    load.reason = std::move(reason);
    return load;
}

// Ordering for "best round": more points, then fewer mistakes, then less time.
bool better_round(const MatchingCompleted& a, const MatchingCompleted& b) {
    const double ratio_a = a.max > 0 ? static_cast<double>(a.score) / a.max : 0;
    const double ratio_b = b.max > 0 ? static_cast<double>(b.score) / b.max : 0;
    if (ratio_a != ratio_b) return ratio_a > ratio_b;
    if (a.mistakes != b.mistakes) return a.mistakes < b.mistakes;
    return a.duration_s < b.duration_s;
}

// Keeps the saved number short and stable: milliseconds are plenty for a game timer.
double round_ms(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

// A time in milliseconds since the epoch, from 1970 to the year 3000: anything else is not one we wrote.
constexpr TimeMs kLatestTimeMs = 32503680000000;
bool is_time(const Json& v) {
    return v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() <= kLatestTimeMs;
}

// Past kMaxRoundsKept, the oldest rounds are counted instead of listed. The count covers every round up
// to a time, so a tab that still lists such a round drops it when the records merge instead of counting
// it twice.
void trim_rounds(Progress& p) {
    while (p.rounds.size() > kMaxRoundsKept) {
        p.earlier_until_ms = std::max(p.earlier_until_ms, p.rounds.front().time_ms);
        ++p.earlier_rounds;
        p.rounds.erase(p.rounds.begin());
    }
}

// The better of two best rounds; equal ones are told apart by time, so both tabs keep the same one.
const std::optional<RoundRecord>& better_best(const std::optional<RoundRecord>& a, const std::optional<RoundRecord>& b) {
    if (!a) return b;
    if (!b) return a;
    if (better_round(a->round, b->round)) return a;
    if (better_round(b->round, a->round)) return b;
    return a->time_ms >= b->time_ms ? a : b;
}

}  // namespace

bool RoundRecord::operator==(const RoundRecord& other) const {
    return round.score == other.round.score && round.max == other.round.max && round.mistakes == other.round.mistakes &&
           round.duration_s == other.round.duration_s && time_ms == other.time_ms;
}

std::string serialize_progress(const Progress& progress) {
    Json doc = Json::object();
    doc["k"] = kProgressTag;
    doc["v"] = kProgressVersion;
    if (progress.reset_ms > 0) doc["z"] = progress.reset_ms;
    Json quiz = Json::object();
    for (const auto& [id, record] : progress.quiz) {
        Json entry = Json::object();
        entry["s"] = record.selected;
        entry["a"] = record.attempts;
        if (record.solution_shown) entry["r"] = true;
        entry["t"] = record.time_ms;
        quiz[id] = std::move(entry);
    }
    doc["q"] = std::move(quiz);
    Json matched = Json::object();
    for (const auto& [id, time] : progress.matched) matched[id] = time;
    doc["m"] = std::move(matched);
    doc["d"] = Json::array();
    const auto round_json = [](const RoundRecord& r) {
        return Json::array({r.round.score, r.round.max, r.round.mistakes, round_ms(r.round.duration_s), r.time_ms});
    };
    for (const RoundRecord& r : progress.rounds) doc["d"].push_back(round_json(r));
    if (progress.best) doc["b"] = round_json(*progress.best);
    if (progress.earlier_rounds > 0) {
        doc["e"] = progress.earlier_rounds;
        doc["c"] = progress.earlier_until_ms;
    }
    // error_handler_t::replace: a stray invalid UTF-8 byte in an id must not throw (ids from content are ASCII).
    return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

ProgressLoad parse_progress(std::string_view text, const Content* lesson) {
    if (std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }))
        return ProgressLoad{};  // nothing saved yet
    if (text.size() > kMaxProgressBytes)
        return discard("saved progress is " + std::to_string(text.size()) + " bytes, more than the " +
                       std::to_string(kMaxProgressBytes) + " a lesson record can be");
    const Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return discard("saved progress is not valid JSON");
    if (!doc.is_object()) return discard(std::string("saved progress is a JSON ") + doc.type_name() + ", not an object");

    const auto tag = doc.find("k");
    if (tag == doc.end() || !tag->is_string() || tag->get_ref<const std::string&>() != kProgressTag)
        return discard("saved data does not belong to this lesson (no \"k\": \"knobs-lesson\" tag)");
    const auto version_field = doc.find("v");
    if (version_field == doc.end() || !version_field->is_number_integer()) return discard("saved progress has no version number");
    const std::int64_t version = version_field->get<std::int64_t>();
    if (version != 1 && version != kProgressVersion)
        return discard("saved progress has version " + std::to_string(version) + "; this build reads versions 1 and " +
                       std::to_string(kProgressVersion));
    const bool v1 = version == 1;  // no times: every entry counts as recorded at time 0

    ProgressLoad load;
    load.status = ProgressStatus::restored;
    Progress& p = load.progress;

    if (const auto reset = doc.find("z"); reset != doc.end()) {
        if (v1 || !is_time(*reset)) return discard("saved progress is corrupt: \"z\" is not a time");
        p.reset_ms = reset->get<TimeMs>();
    }

    // ---- quiz answers ----
    const auto quiz = doc.find("q");
    if (quiz == doc.end() || !quiz->is_object()) return discard("saved progress is corrupt: \"q\" is missing or not an object");
    for (const auto& [question_id, entry] : quiz->items()) {
        const std::string where = "quiz answer \"" + question_id + "\"";
        if (!entry.is_object()) return discard("saved progress is corrupt: " + where + " is not an object");
        const auto sel = entry.find("s");
        const auto att = entry.find("a");
        const auto rev = entry.find("r");
        const auto time = entry.find("t");
        if (sel == entry.end() || !sel->is_array() || sel->empty() || sel->size() > kMaxSelected ||
            !std::all_of(sel->begin(), sel->end(), is_plain_id))
            return discard("saved progress is corrupt: " + where + " has no valid list of selected options");
        if (att == entry.end() || !att->is_number_integer() || att->get<std::int64_t>() < 1 || att->get<std::int64_t>() > kMaxAttempts)
            return discard("saved progress is corrupt: " + where + " has no valid attempt count");
        if (rev != entry.end() && !rev->is_boolean())
            return discard("saved progress is corrupt: " + where + " has a non-boolean solution flag");
        if (!v1 && (time == entry.end() || !is_time(*time))) return discard("saved progress is corrupt: " + where + " has no valid time");
        QuizRecord record;
        for (const auto& id : *sel) record.selected.push_back(id.get<std::string>());
        record.attempts = static_cast<int>(att->get<std::int64_t>());
        record.solution_shown = rev != entry.end() && rev->get<bool>();
        record.time_ms = v1 ? 0 : time->get<TimeMs>();

        // Content can change between visits; an answer that no longer fits is dropped, not the rest.
        if (lesson) {
            const QuizQuestion* q = lesson->find_question(question_id);
            if (!q) {
                load.dropped.push_back(where + ": the lesson has no such question any more");
                continue;
            }
            const bool all_known = std::all_of(record.selected.begin(), record.selected.end(), [&](const std::string& id) {
                return std::any_of(q->options.begin(), q->options.end(), [&](const QuizOption& o) { return o.id == id; });
            });
            if (!all_known) {
                load.dropped.push_back(where + ": an answer option no longer exists");
                continue;
            }
            std::set<std::string> unique(record.selected.begin(), record.selected.end());
            if (unique.size() != record.selected.size() || (q->kind == QuestionKind::single && unique.size() != 1)) {
                load.dropped.push_back(where + ": the saved selection does not fit the question");
                continue;
            }
        }
        p.quiz.emplace(question_id, std::move(record));
    }

    // ---- matching: version 2 keeps a time per concept, version 1 a plain list ----
    const auto matched = doc.find("m");
    std::vector<std::pair<std::string, TimeMs>> concepts;
    if (matched != doc.end() && v1 && matched->is_array() && std::all_of(matched->begin(), matched->end(), is_plain_id)) {
        for (const auto& id : *matched) concepts.emplace_back(id.get<std::string>(), 0);
    } else if (matched != doc.end() && !v1 && matched->is_object() && matched->size() <= kMaxConcepts) {
        for (const auto& [id, time] : matched->items()) {
            if (!is_plain_id(Json(id)) || !is_time(time)) return discard("saved progress is corrupt: \"m\" is not a map of concept ids to times");
            concepts.emplace_back(id, time.get<TimeMs>());
        }
    } else {
        return discard(v1 ? "saved progress is corrupt: \"m\" is not a list of concept ids"
                          : "saved progress is corrupt: \"m\" is not a map of concept ids to times");
    }
    for (auto& [id, time] : concepts) {
        if (lesson && !lesson->find_concept(id)) {
            load.dropped.push_back("matched concept \"" + id + "\": the lesson has no such concept any more");
            continue;
        }
        p.matched[id] = time;
    }

    // ---- finished rounds ----
    const auto read_round = [](const Json& r, std::size_t fields, MatchingCompleted& out) {
        if (!r.is_array() || r.size() != fields || !r[0].is_number_integer() || !r[1].is_number_integer() || !r[2].is_number_integer() ||
            !r[3].is_number())
            return false;
        const auto score = r[0].get<std::int64_t>(), max = r[1].get<std::int64_t>(), mistakes = r[2].get<std::int64_t>();
        const double seconds = r[3].get<double>();
        if (max < MatchingGame::kMinPairs || max > MatchingGame::kMaxPairs || score < 0 || score > max || mistakes < 0 ||
            mistakes > kMaxAttempts || !(seconds >= 0 && seconds < 1e7))
            return false;
        out = MatchingCompleted{static_cast<int>(score), static_cast<int>(max), static_cast<int>(mistakes), seconds};
        return true;
    };
    if (v1) {
        const auto rounds = doc.find("n");
        if (rounds == doc.end() || !rounds->is_number_integer() || rounds->get<std::int64_t>() < 0 || rounds->get<std::int64_t>() > kMaxAttempts)
            return discard("saved progress is corrupt: \"n\" is not a round count");
        p.earlier_rounds = static_cast<int>(rounds->get<std::int64_t>());  // every round, at time 0
        if (const auto best = doc.find("b"); best != doc.end()) {
            MatchingCompleted round;
            if (!best->is_array() || best->size() != 4) return discard("saved progress is corrupt: \"b\" is not [score, max, mistakes, seconds]");
            if (!read_round(*best, 4, round)) return discard("saved progress is corrupt: the best round has impossible numbers");
            p.best = RoundRecord{round, 0};
        }
    } else {
        const auto rounds = doc.find("d");
        if (rounds == doc.end() || !rounds->is_array() || rounds->size() > kMaxRoundsKept)
            return discard("saved progress is corrupt: \"d\" is not a list of at most " + std::to_string(kMaxRoundsKept) + " rounds");
        for (const Json& r : *rounds) {
            MatchingCompleted round;
            if (!read_round(r, 5, round) || !is_time(r[4]))
                return discard("saved progress is corrupt: a finished round is not [score, max, mistakes, seconds, time] with possible numbers");
            p.rounds.push_back(RoundRecord{round, r[4].get<TimeMs>()});
        }
        if (const auto best = doc.find("b"); best != doc.end()) {
            MatchingCompleted round;
            if (!read_round(*best, 5, round) || !is_time((*best)[4]))
                return discard("saved progress is corrupt: \"b\" is not [score, max, mistakes, seconds, time] with possible numbers");
            p.best = RoundRecord{round, (*best)[4].get<TimeMs>()};
        }
        const auto earlier = doc.find("e"), until = doc.find("c");
        if ((earlier == doc.end()) != (until == doc.end())) return discard("saved progress is corrupt: \"e\" and \"c\" come together");
        if (earlier != doc.end()) {
            if (!earlier->is_number_integer() || earlier->get<std::int64_t>() < 0 || earlier->get<std::int64_t>() > kMaxAttempts || !is_time(*until))
                return discard("saved progress is corrupt: \"e\" is not a round count or \"c\" not a time");
            p.earlier_rounds = static_cast<int>(earlier->get<std::int64_t>());
            p.earlier_until_ms = until->get<TimeMs>();
        }
    }
    return load;
}

Progress merge_progress(const Progress& a, const Progress& b) {
    Progress out;
    out.reset_ms = std::max(a.reset_ms, b.reset_ms);
    const auto kept = [&](TimeMs t) { return t >= out.reset_ms; };

    for (const Progress* side : {&a, &b})
        for (const auto& [id, record] : side->quiz) {
            if (!kept(record.time_ms)) continue;
            auto [at, inserted] = out.quiz.try_emplace(id, record);
            if (inserted) continue;
            const QuizRecord& held = at->second;
            const auto key = [](const QuizRecord& r) { return std::tie(r.time_ms, r.attempts, r.solution_shown, r.selected); };
            if (key(record) > key(held)) at->second = record;
        }
    for (const Progress* side : {&a, &b})
        for (const auto& [id, time] : side->matched) {
            if (!kept(time)) continue;
            auto [at, inserted] = out.matched.try_emplace(id, time);
            if (!inserted) at->second = std::max(at->second, time);
        }

    // Rounds counted but no longer listed: the count that reaches further in time (it includes the other).
    const Progress& further = std::tie(a.earlier_until_ms, a.earlier_rounds) >= std::tie(b.earlier_until_ms, b.earlier_rounds) ? a : b;
    if (further.earlier_rounds > 0 && further.earlier_until_ms >= out.reset_ms) {
        out.earlier_rounds = further.earlier_rounds;
        out.earlier_until_ms = further.earlier_until_ms;
    }
    // Listed rounds: the union after that count, in time order (then by value, so equal times sort the
    // same way in every tab).
    const auto round_key = [](const RoundRecord& r) {
        return std::make_tuple(r.time_ms, r.round.score, r.round.max, r.round.mistakes, r.round.duration_s);
    };
    for (const Progress* side : {&a, &b})
        for (const RoundRecord& r : side->rounds)
            if (kept(r.time_ms) && (out.earlier_rounds == 0 || r.time_ms > out.earlier_until_ms)) out.rounds.push_back(r);
    std::sort(out.rounds.begin(), out.rounds.end(), [&](const RoundRecord& x, const RoundRecord& y) { return round_key(x) < round_key(y); });
    out.rounds.erase(std::unique(out.rounds.begin(), out.rounds.end()), out.rounds.end());
    trim_rounds(out);
    // The best round: the better of the two bests that the reset left, and of the listed rounds.
    for (const Progress* side : {&a, &b})
        if (side->best && kept(side->best->time_ms)) out.best = better_best(out.best, side->best);
    for (const RoundRecord& r : out.rounds) out.best = better_best(out.best, std::optional(r));
    return out;
}

void record_quiz(Progress& progress, const QuizSession& quiz, TimeMs now) {
    for (int q = 0; q < quiz.question_count(); ++q) {
        if (!quiz.is_checked(q)) continue;
        QuizRecord record;
        for (int o = 0; o < quiz.option_count(q); ++o)
            if (quiz.is_selected(q, o)) record.selected.push_back(quiz.option_id(q, o));
        record.attempts = quiz.attempts(q);
        record.solution_shown = quiz.solution_shown(q);
        record.time_ms = now;
        QuizRecord& stored = progress.quiz[quiz.question_id(q)];
        if (!stored.same_answer(record) || stored.selected.empty()) stored = std::move(record);
    }
}

void record_matched_pairs(Progress& progress, const MatchingGame& game, TimeMs now) {
    for (auto& id : game.matched_ids()) progress.matched.try_emplace(std::move(id), now);
}

void record_round_completed(Progress& progress, const MatchingCompleted& round, TimeMs now) {
    MatchingCompleted kept = round;
    kept.duration_s = round_ms(round.duration_s);  // what a save/load round trip would give back
    progress.rounds.push_back(RoundRecord{kept, now});
    progress.best = better_best(progress.best, std::optional(RoundRecord{kept, now}));
    trim_rounds(progress);
}

int restore_quiz(QuizSession& quiz, const Progress& progress) {
    int restored = 0;
    for (const auto& [id, record] : progress.quiz)
        restored += quiz.restore_answer(id, record.selected, record.attempts, record.solution_shown) ? 1 : 0;
    return restored;
}

void reset_progress(Progress& progress, TimeMs now) {
    progress = Progress{};
    progress.reset_ms = now;
}

}  // namespace knobs::lesson
