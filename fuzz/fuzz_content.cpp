// libFuzzer target: lesson content files from authors (parse_content, validate_pair, load_author_content,
// load_languages) against the English file embedded in the binary.
//
// Invariants:
//   * no crash and no exception, whatever the bytes (the wasm build cannot catch exceptions);
//   * content is produced exactly when there are no errors, and every error names this file, a path and
//     a message;
//   * a file that parses can drive the lesson: its quiz makes a QuizSession and its concepts make a
//     MatchingGame (parse_content promises the rules both need), every required UI key has a text, and a
//     full play-through of both games works;
//   * comparing with English in either direction never crashes, and load_author_content agrees with
//     parse_content followed by validate_pair;
//   * the same against a small cut of the English file (small_content.h), whose translation seeds are
//     small enough for the fuzzer to reach the "translation is valid" paths quickly.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "lesson/content.h"
#include "small_content.h"
#include "lesson/matching.h"
#include "lesson/quiz.h"

using namespace knobs::lesson;

namespace {

constexpr std::string_view kFileName = "fuzz.json";

const Content& english() {
    static const Content content = [] {
        ContentLoad load = parse_content(embedded_content_text("en"), "en.json");
        FUZZ_REQUIRE(load.ok(), "the embedded English content parses");
        return std::move(*load.content);
    }();
    return content;
}

const std::string& small_english_text() {
    static const std::string text = knobs::fuzzing::small_content(embedded_content_text("en"));
    return text;
}

const Content& small_english() {
    static const Content content = [] {
        ContentLoad load = parse_content(small_english_text(), "en-small.json");
        FUZZ_REQUIRE(load.ok(), "the cut of the English content parses");
        return std::move(*load.content);
    }();
    return content;
}

void check_errors(const std::vector<ContentError>& errors, std::string_view file) {
    for (const ContentError& e : errors) {
        FUZZ_REQUIRE(e.file == file, "an error names its file");
        FUZZ_REQUIRE(!e.path.empty() && !e.message.empty(), "an error has a path and a message");
    }
}

// Plays the lesson on the parsed content the way a learner would, choosing with the input's hash.
void play(const Content& c, uint64_t choice) {
    auto quiz = QuizSession::create(c.quiz, choice);
    FUZZ_REQUIRE(quiz.value.has_value(), "content that parses makes a quiz");
    QuizSession& q = *quiz.value;
    FUZZ_REQUIRE(q.question_count() == static_cast<int>(c.quiz.size()), "the quiz has every question");
    double now = 0;
    for (int i = 0; i < q.question_count(); ++i) {
        const int options = q.option_count(i);
        FUZZ_REQUIRE(options >= 2, "a question has at least two options");
        FUZZ_REQUIRE(q.select(i, static_cast<int>((choice >> i) % static_cast<uint64_t>(options)), now += 1), "an option can be selected");
        FUZZ_REQUIRE(q.check(i, now += 1).status == CheckStatus::checked, "a selected question can be checked");
    }
    FUZZ_REQUIRE(q.all_checked(), "every question was checked");
    q.retry_wrong();
    FUZZ_REQUIRE(q.score_raw() <= q.score_max(), "the score is at most the maximum");

    auto game = MatchingGame::create(c.concept_ids(), choice);
    FUZZ_REQUIRE(game.value.has_value(), "content that parses makes a matching game");
    MatchingGame& g = *game.value;
    // Tap each term then its definition: the round must complete.
    for (int pair = 0; pair < g.pair_count(); ++pair) {
        int term = -1, definition = -1;
        for (int card = 0; card < g.card_count(); ++card) {
            const MatchCard mc = g.card(card);
            if (mc.pair == pair) (mc.side == MatchSide::term ? term : definition) = card;
        }
        FUZZ_REQUIRE(term >= 0 && definition >= 0, "each pair has a term card and a definition card");
        g.tap(term, now += 1);
        g.tap(definition, now += 1);
    }
    FUZZ_REQUIRE(g.complete(), "matching every pair completes the round");
    g.new_round();
    FUZZ_REQUIRE(g.pair_count() >= MatchingGame::kMinPairs, "a new round has enough pairs");

    for (std::string_view key : kRequiredUiKeys)
        FUZZ_REQUIRE(std::strcmp(c.ui_text(key), "[missing text]") != 0, "every required UI key has a text");
    for (const auto& [key, text] : c.ui) {
        const std::pair<std::string_view, std::string_view> values[] = {{"n", "1"}, {"score", "2"}, {"s", "3"}};
        (void)fill_placeholders(text, values);
        (void)placeholders_in(text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const Content& reference = english();

    const ContentLoad load = parse_content(text, kFileName);
    FUZZ_REQUIRE(load.content.has_value() == load.errors.empty(), "content exactly when there are no errors");
    check_errors(load.errors, kFileName);

    bool valid_against_small = false;
    if (load.content) {
        // Only for files that parse: load_author_content starts with the same parse_content, so on the
        // rest (most fuzz inputs) it would parse twice to learn nothing new.
        const ContentLoad author = load_author_content(text, kFileName, reference);
        FUZZ_REQUIRE(author.content.has_value() == author.errors.empty(), "author content exactly when there are no errors");
        check_errors(author.errors, kFileName);
        const Content& c = *load.content;
        const std::vector<ContentError> pair = validate_pair(reference, c);
        check_errors(pair, kFileName);
        FUZZ_REQUIRE(author.content.has_value() == pair.empty(), "load_author_content is parse plus validate_pair");
        check_errors(validate_pair(c, reference), "en.json");
        const std::vector<ContentError> small_pair = validate_pair(small_english(), c);
        check_errors(small_pair, kFileName);
        valid_against_small = small_pair.empty();
        check_errors(validate_pair(c, small_english()), "en-small.json");

        uint64_t choice = 1469598103934665603ull;  // FNV-1a of the input picks the answers
        for (size_t i = 0; i < size; ++i) choice = (choice ^ data[i]) * 1099511628211ull;
        play(c, choice);
    }

    // The file as a translation in a library (the small reference: re-parsing the full English file for
    // every input would cost more than everything else here). Only for files that parse: load_languages
    // parses with the same parse_content as above, so for the rest (most fuzz inputs) it would only spend
    // time re-parsing the reference.
    if (load.content) {
        const ContentFile small_files[] = {{"en-small.json", small_english_text()}, {kFileName, text}};
        const LessonLibrary small_library = load_languages(small_files);
        FUZZ_REQUIRE(!small_library.languages.empty() && small_library.languages.front().language_code == "en",
                     "the reference language always loads");
        FUZZ_REQUIRE(small_library.languages.size() == (valid_against_small ? 2u : 1u),
                     "the library takes the file exactly when it validates against the small reference");
    }
    return 0;
}
