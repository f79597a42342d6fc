// Progress <-> JSON. The input comes from localStorage, which other pages on the same origin, older
// builds or a curious learner may have written, so every value is type-checked before it is used and
// nothing here throws (see content.cpp for why).
#include "lesson/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include <nlohmann/json.hpp>

namespace knobs::lesson {
namespace {

using Json = nlohmann::json;

// localStorage holds a few megabytes per origin; a real record is well under a kilobyte per question.
constexpr std::size_t kMaxProgressBytes = 64 * 1024;
constexpr int kMaxAttempts = 1000000;
constexpr std::size_t kMaxSelected = 16;

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

}  // namespace

bool Progress::operator==(const Progress& other) const {
    const auto same_round = [](const std::optional<MatchingCompleted>& a, const std::optional<MatchingCompleted>& b) {
        if (a.has_value() != b.has_value()) return false;
        return !a || (a->score == b->score && a->max == b->max && a->mistakes == b->mistakes && a->duration_s == b->duration_s);
    };
    return quiz == other.quiz && matched == other.matched && rounds_completed == other.rounds_completed &&
           same_round(best_round, other.best_round);
}

std::string serialize_progress(const Progress& progress) {
    Json doc = Json::object();
    doc["k"] = kProgressTag;
    doc["v"] = kProgressVersion;
    Json quiz = Json::object();
    for (const auto& [id, record] : progress.quiz) {
        Json entry = Json::object();
        entry["s"] = record.selected;
        entry["a"] = record.attempts;
        if (record.solution_shown) entry["r"] = true;
        quiz[id] = std::move(entry);
    }
    doc["q"] = std::move(quiz);
    doc["m"] = Json::array();
    for (const auto& id : progress.matched) doc["m"].push_back(id);
    doc["n"] = progress.rounds_completed;
    if (const auto& b = progress.best_round) doc["b"] = Json::array({b->score, b->max, b->mistakes, round_ms(b->duration_s)});
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
    const auto version = doc.find("v");
    if (version == doc.end() || !version->is_number_integer()) return discard("saved progress has no version number");
    if (version->get<std::int64_t>() != kProgressVersion)
        return discard("saved progress has version " + std::to_string(version->get<std::int64_t>()) + "; this build reads version " +
                       std::to_string(kProgressVersion));

    ProgressLoad load;
    load.status = ProgressStatus::restored;
    Progress& p = load.progress;

    // ---- quiz answers ----
    const auto quiz = doc.find("q");
    if (quiz == doc.end() || !quiz->is_object()) return discard("saved progress is corrupt: \"q\" is missing or not an object");
    for (const auto& [question_id, entry] : quiz->items()) {
        const std::string where = "quiz answer \"" + question_id + "\"";
        if (!entry.is_object()) return discard("saved progress is corrupt: " + where + " is not an object");
        const auto sel = entry.find("s");
        const auto att = entry.find("a");
        const auto rev = entry.find("r");
        if (sel == entry.end() || !sel->is_array() || sel->empty() || sel->size() > kMaxSelected ||
            !std::all_of(sel->begin(), sel->end(), is_plain_id))
            return discard("saved progress is corrupt: " + where + " has no valid list of selected options");
        if (att == entry.end() || !att->is_number_integer() || att->get<std::int64_t>() < 1 || att->get<std::int64_t>() > kMaxAttempts)
            return discard("saved progress is corrupt: " + where + " has no valid attempt count");
        if (rev != entry.end() && !rev->is_boolean())
            return discard("saved progress is corrupt: " + where + " has a non-boolean solution flag");
        QuizRecord record;
        for (const auto& id : *sel) record.selected.push_back(id.get<std::string>());
        record.attempts = static_cast<int>(att->get<std::int64_t>());
        record.solution_shown = rev != entry.end() && rev->get<bool>();

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

    // ---- matching ----
    const auto matched = doc.find("m");
    if (matched == doc.end() || !matched->is_array() || !std::all_of(matched->begin(), matched->end(), is_plain_id))
        return discard("saved progress is corrupt: \"m\" is not a list of concept ids");
    for (const auto& id : *matched) {
        const std::string& s = id.get_ref<const std::string&>();
        if (lesson && !lesson->find_concept(s)) {
            load.dropped.push_back("matched concept \"" + s + "\": the lesson has no such concept any more");
            continue;
        }
        p.matched.insert(s);
    }
    const auto rounds = doc.find("n");
    if (rounds == doc.end() || !rounds->is_number_integer() || rounds->get<std::int64_t>() < 0 || rounds->get<std::int64_t>() > kMaxAttempts)
        return discard("saved progress is corrupt: \"n\" is not a round count");
    p.rounds_completed = static_cast<int>(rounds->get<std::int64_t>());

    if (const auto best = doc.find("b"); best != doc.end()) {
        const bool shape_ok = best->is_array() && best->size() == 4 && (*best)[0].is_number_integer() &&
                              (*best)[1].is_number_integer() && (*best)[2].is_number_integer() && (*best)[3].is_number();
        if (!shape_ok) return discard("saved progress is corrupt: \"b\" is not [score, max, mistakes, seconds]");
        const auto score = (*best)[0].get<std::int64_t>(), max = (*best)[1].get<std::int64_t>(), mistakes = (*best)[2].get<std::int64_t>();
        const double seconds = (*best)[3].get<double>();
        if (max < MatchingGame::kMinPairs || max > MatchingGame::kMaxPairs || score < 0 || score > max || mistakes < 0 ||
            mistakes > kMaxAttempts || !(seconds >= 0 && seconds < 1e7))
            return discard("saved progress is corrupt: the best round has impossible numbers");
        p.best_round = MatchingCompleted{static_cast<int>(score), static_cast<int>(max), static_cast<int>(mistakes), seconds};
    }
    return load;
}

void record_quiz(Progress& progress, const QuizSession& quiz) {
    for (int q = 0; q < quiz.question_count(); ++q) {
        if (!quiz.is_checked(q)) continue;
        QuizRecord record;
        for (int o = 0; o < quiz.option_count(q); ++o)
            if (quiz.is_selected(q, o)) record.selected.push_back(quiz.option_id(q, o));
        record.attempts = quiz.attempts(q);
        record.solution_shown = quiz.solution_shown(q);
        progress.quiz[quiz.question_id(q)] = std::move(record);
    }
}

void record_matched_pairs(Progress& progress, const MatchingGame& game) {
    for (auto& id : game.matched_ids()) progress.matched.insert(std::move(id));
}

void record_round_completed(Progress& progress, const MatchingCompleted& round) {
    ++progress.rounds_completed;
    MatchingCompleted kept = round;
    kept.duration_s = round_ms(round.duration_s);  // what a save/load round trip would give back
    if (!progress.best_round || better_round(kept, *progress.best_round)) progress.best_round = kept;
}

int restore_quiz(QuizSession& quiz, const Progress& progress) {
    int restored = 0;
    for (const auto& [id, record] : progress.quiz)
        restored += quiz.restore_answer(id, record.selected, record.attempts, record.solution_shown) ? 1 : 0;
    return restored;
}

void reset_progress(Progress& progress) { progress = Progress{}; }

}  // namespace knobs::lesson
