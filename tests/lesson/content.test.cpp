// Content files: the shipped languages load and agree, and every kind of authoring mistake is reported
// with the file and the field path.
#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catch_amalgamated.hpp"
#include "core/rng.h"
#include "lesson/content.h"
#include "lesson/matching.h"

using namespace knobs::lesson;
using Json = nlohmann::json;

namespace {

std::vector<std::string> error_strings(const std::vector<ContentError>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) out.push_back(e.to_string());
    return out;
}

std::string joined(const std::vector<ContentError>& errors) {
    std::string s;
    for (const auto& e : errors) s += e.to_string() + "\n";
    return s;
}

bool has_error_starting_with(const std::vector<ContentError>& errors, const std::string& prefix) {
    return std::any_of(errors.begin(), errors.end(), [&](const ContentError& e) { return e.to_string().rfind(prefix, 0) == 0; });
}

Json embedded_json(const char* code) {
    const std::string_view text = embedded_content_text(code);
    return Json::parse(text.begin(), text.end());
}

template <class T>
std::vector<std::string> ids_of(const std::vector<T>& items) {
    std::vector<std::string> ids;
    for (const auto& x : items) ids.push_back(x.id);
    return ids;
}

// Counts code points, so accented Portuguese is not penalised for its two-byte letters.
std::size_t utf8_length(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Parses en.json and a pt-BR.json changed by `mutate`, the way the embedded pair is loaded.
LessonLibrary load_with_mutated_translation(const std::function<void(Json&)>& mutate) {
    Json pt = embedded_json("pt-BR");
    mutate(pt);
    const std::string pt_text = pt.dump(2);
    const ContentFile files[] = {{"en.json", embedded_content_text("en")}, {"pt-BR.json", pt_text}};
    return load_languages(files);
}

ContentLoad parse_mutated_english(const std::function<void(Json&)>& mutate) {
    Json en = embedded_json("en");
    mutate(en);
    return parse_content(en.dump(2), "en.json");
}

}  // namespace

TEST_CASE("[lesson] content: both embedded languages load and validate") {
    const LessonLibrary library = load_embedded_content();
    INFO(joined(library.errors));
    REQUIRE(library.ok());
    REQUIRE(library.languages.size() == 2);
    CHECK(library.languages[0].language_code == "en");
    CHECK(library.languages[1].language_code == "pt-BR");
    REQUIRE(library.find("pt-BR") != nullptr);
    CHECK(library.find("fr") == nullptr);

    for (const Content& c : library.languages) {
        INFO(c.source);
        // The seed lesson's nine lifecycle stages, in order.
        CHECK(ids_of(c.stages) == std::vector<std::string>{"st-training-data", "st-gpu-cluster", "st-backpropagation",
                                                           "st-weights-file", "st-domain-data", "st-finetuning",
                                                           "st-application", "st-endpoint", "st-response"});
        CHECK(ids_of(c.comparison.columns) == std::vector<std::string>{"pretraining", "finetuning", "inference"});
        CHECK(ids_of(c.comparison.rows) ==
              std::vector<std::string>{"who", "cost", "frequency", "weights-change", "do-you-need-it"});
        for (const auto& row : c.comparison.rows) CHECK(row.cells.size() == 3);
        CHECK(c.concepts.size() >= 14);
        CHECK(c.quiz.size() >= 10);
        CHECK(c.find_question("q-production") != nullptr);
        const auto singles = std::count_if(c.quiz.begin(), c.quiz.end(), [](const QuizQuestion& q) { return q.kind == QuestionKind::single; });
        CHECK(singles >= 1);
        CHECK(singles < static_cast<long>(c.quiz.size()));  // some multiple-answer questions too
        CHECK(c.faq.size() >= 6);
        for (const char* seed_faq : {"f-learning-from-context", "f-finetuning-permanent", "f-train-from-scratch"})
            CHECK(std::any_of(c.faq.begin(), c.faq.end(), [&](const FaqEntry& f) { return f.id == seed_faq; }));
        CHECK(c.takeaways.size() >= 4);
        for (std::string_view key : kRequiredUiKeys) CHECK(c.ui.count(std::string(key)) == 1);
    }
}

TEST_CASE("[lesson] content: every lab demo is reachable from the content") {
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    const Content& en = library.languages[0];
    std::set<Demo> used;
    for (const auto& s : en.sections) used.insert(s.demo);
    for (const auto& s : en.stages) used.insert(s.demo);
    for (const auto& q : en.quiz) used.insert(q.demo);
    for (const auto& f : en.faq) used.insert(f.demo);
    for (int d = 0; d < kNumDemos; ++d) {
        INFO(demo_id(static_cast<Demo>(d)));
        CHECK(used.count(static_cast<Demo>(d)) == 1);
    }
}

TEST_CASE("[lesson] content: the languages have the same ids") {
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    const Content& en = library.languages[0];
    const Content& pt = library.languages[1];
    CHECK(ids_of(en.sections) == ids_of(pt.sections));
    CHECK(ids_of(en.stages) == ids_of(pt.stages));
    CHECK(ids_of(en.concepts) == ids_of(pt.concepts));
    CHECK(ids_of(en.quiz) == ids_of(pt.quiz));
    CHECK(ids_of(en.faq) == ids_of(pt.faq));
    CHECK(ids_of(en.takeaways) == ids_of(pt.takeaways));
    for (std::size_t q = 0; q < en.quiz.size(); ++q) {
        CHECK(ids_of(en.quiz[q].options) == ids_of(pt.quiz[q].options));
        for (std::size_t o = 0; o < en.quiz[q].options.size(); ++o)
            CHECK(en.quiz[q].options[o].correct == pt.quiz[q].options[o].correct);
    }
    std::vector<std::string> en_keys, pt_keys;
    for (const auto& [k, v] : en.ui) en_keys.push_back(k);
    for (const auto& [k, v] : pt.ui) pt_keys.push_back(k);
    CHECK(en_keys == pt_keys);
}

TEST_CASE("[lesson] content: the Portuguese file is a real translation") {
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    const Content& en = library.languages[0];
    const Content& pt = library.languages[1];
    // Long strings identical in both files would be untranslated leftovers.
    auto differs = [](const std::string& a, const std::string& b) { return a.size() < 24 || a != b; };
    for (std::size_t i = 0; i < en.quiz.size(); ++i) {
        CHECK(differs(en.quiz[i].prompt, pt.quiz[i].prompt));
        CHECK(differs(en.quiz[i].explanation, pt.quiz[i].explanation));
        for (std::size_t o = 0; o < en.quiz[i].options.size(); ++o) CHECK(differs(en.quiz[i].options[o].feedback, pt.quiz[i].options[o].feedback));
    }
    for (std::size_t i = 0; i < en.concepts.size(); ++i) CHECK(differs(en.concepts[i].definition, pt.concepts[i].definition));
    for (std::size_t i = 0; i < en.faq.size(); ++i) CHECK(differs(en.faq[i].answer, pt.faq[i].answer));

    std::string all_pt;
    for (const auto& s : pt.sections)
        for (const auto& p : s.paragraphs) all_pt += p;
    for (const char* accented : {"ç", "ã", "é", "ê", "ó", "í", "ú", "á", "õ", "â"}) {
        INFO(accented);
        CHECK(all_pt.find(accented) != std::string::npos);
    }
    CHECK(pt.quiz[0].prompt == "Em produção, o que você normalmente faz e pelo que paga?");
}

TEST_CASE("[lesson] content: matching cards and labels stay short enough to lay out") {
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    for (const Content& c : library.languages) {
        for (const auto& k : c.concepts) {
            INFO(c.source << " " << k.id);
            CHECK(utf8_length(k.term) <= 32);
            CHECK(utf8_length(k.definition) <= 150);
        }
        for (const auto& s : c.stages) {
            INFO(c.source << " " << s.id);
            CHECK(utf8_length(s.label) <= 24);
            CHECK(utf8_length(s.sublabel) <= 24);
        }
    }
}

TEST_CASE("[lesson] content: the embedded bytes are the files in the repository") {
    for (const char* code : {"en", "pt-BR"}) {
        std::ifstream file(std::string(KNOBS_SOURCE_DIR) + "/content/" + code + ".json", std::ios::binary);
        REQUIRE(file.good());
        std::stringstream bytes;
        bytes << file.rdbuf();
        CHECK(bytes.str() == std::string(embedded_content_text(code)));
    }
    CHECK(embedded_content_text("xx").empty());
}

TEST_CASE("[lesson] content: each kind of mistake in one file gives its specific error") {
    struct Case {
        const char* name;
        std::function<void(Json&)> mutate;
        const char* expected;  // the start of one of the error lines
    };
    const std::vector<Case> cases = {
        {"missing key", [](Json& j) { j["quiz"][3]["options"][1].erase("id"); }, "en.json: quiz[3].options[1].id: missing"},
        {"missing section", [](Json& j) { j.erase("faq"); }, "en.json: faq: missing"},
        {"wrong type", [](Json& j) { j["stages"][0]["label"] = 5; }, "en.json: stages[0].label: expected a string, got number"},
        {"array expected", [](Json& j) { j["concepts"] = Json::object(); }, "en.json: concepts: expected an array, got object"},
        {"boolean expected", [](Json& j) { j["quiz"][0]["options"][0]["correct"] = "yes"; },
         "en.json: quiz[0].options[0].correct: expected true or false, got string"},
        {"duplicate id", [](Json& j) { j["concepts"][2]["id"] = j["concepts"][0]["id"]; },
         "en.json: concepts[2].id: duplicate id \"c-parameter\" (also at concepts[0].id)"},
        {"duplicate option id", [](Json& j) { j["quiz"][1]["options"][3]["id"] = j["quiz"][1]["options"][0]["id"]; },
         "en.json: quiz[1].options[3].id: duplicate id"},
        {"malformed id", [](Json& j) { j["faq"][0]["id"] = "F 1"; }, "en.json: faq[0].id: invalid id \"F 1\""},
        {"unknown demo", [](Json& j) { j["faq"][1]["demo"] = "dance"; }, "en.json: faq[1].demo: unknown demo \"dance\""},
        {"unknown phase", [](Json& j) { j["stages"][2]["phase"] = "training"; }, "en.json: stages[2].phase: unknown phase"},
        {"empty text", [](Json& j) { j["takeaways"][0]["text"] = "   "; }, "en.json: takeaways[0].text: empty"},
        {"unknown key", [](Json& j) { j["sections"][0]["titel"] = "x"; }, "en.json: sections[0].titel: unknown key"},
        {"missing ui string", [](Json& j) { j["ui"].erase("button_check"); }, "en.json: ui.button_check: missing"},
        {"ui string of wrong type", [](Json& j) { j["ui"]["label_time"] = Json::array(); }, "en.json: ui.label_time: expected a string, got array"},
        {"single answer with two right options", [](Json& j) { j["quiz"][0]["options"][1]["correct"] = true; },
         "en.json: quiz[0].options: a single-answer question needs exactly one correct option, has 2"},
        {"multiple answer with every option right",
         [](Json& j) {
             for (auto& o : j["quiz"][5]["options"]) o["correct"] = true;
         },
         "en.json: quiz[5].options: a multiple-answer question needs at least one incorrect option"},
        {"unknown question kind", [](Json& j) { j["quiz"][2]["kind"] = "several"; }, "en.json: quiz[2].kind: expected \"single\" or \"multiple\""},
        {"too few options", [](Json& j) { j["quiz"][2]["options"] = Json::array({j["quiz"][2]["options"][0]}); },
         "en.json: quiz[2].options: needs at least 2 entries, has 1"},
        {"too few concepts", [](Json& j) { j["concepts"] = Json::array({j["concepts"][0], j["concepts"][1]}); },
         "en.json: concepts: needs at least 5 entries, has 2"},
        {"missing comparison cell", [](Json& j) { j["comparison"]["rows"][1]["cells"].erase("inference"); },
         "en.json: comparison.rows[1].cells.inference: missing"},
        {"cell for no column", [](Json& j) { j["comparison"]["rows"][0]["cells"]["rag"] = "x"; },
         "en.json: comparison.rows[0].cells.rag: no column has this id"},
        {"unsupported format", [](Json& j) { j["format"] = 2; }, "en.json: format: unsupported format 2"},
        {"bad language code", [](Json& j) { j["language"]["code"] = "english"; }, "en.json: language.code: invalid language code"},
        {"element of wrong type", [](Json& j) { j["faq"][2] = "a string"; }, "en.json: faq[2]: expected an object, got string"},
    };
    for (const Case& c : cases) {
        SECTION(c.name) {
            const ContentLoad load = parse_mutated_english(c.mutate);
            INFO(joined(load.errors));
            CHECK_FALSE(load.ok());
            CHECK_FALSE(load.content.has_value());
            CHECK(has_error_starting_with(load.errors, c.expected));
        }
    }
}

TEST_CASE("[lesson] content: broken JSON is reported, not thrown") {
    const std::string en(embedded_content_text("en"));
    SECTION("syntax error names line and column") {
        const ContentLoad load = parse_content(en.substr(0, en.size() / 2), "en.json");
        REQUIRE(load.errors.size() == 1);
        CHECK(load.errors[0].path == "(document)");
        CHECK(load.errors[0].message.rfind("invalid JSON: parse error at line", 0) == 0);
    }
    SECTION("duplicate key in an object") {
        std::string text = en;
        const auto pos = text.find("\"button_check\"");
        REQUIRE(pos != std::string::npos);
        text.insert(pos, "\"button_check\": \"Twice\", ");
        const ContentLoad load = parse_content(text, "en.json");
        CHECK(error_strings(load.errors) == std::vector<std::string>{"en.json: ui.button_check: duplicate key"});
    }
    SECTION("duplicate key inside an array element") {
        std::string text = en;
        const auto pos = text.find("\"sublabel\": \"Weeks to months\"");
        REQUIRE(pos != std::string::npos);
        text.insert(pos, "\"sublabel\": \"x\", ");
        const ContentLoad load = parse_content(text, "en.json");
        CHECK(error_strings(load.errors) == std::vector<std::string>{"en.json: stages[1].sublabel: duplicate key"});
    }
    SECTION("not an object") {
        const ContentLoad load = parse_content("[1, 2, 3]", "en.json");
        CHECK(error_strings(load.errors) == std::vector<std::string>{"en.json: (document): expected an object at the top level, got array"});
    }
    SECTION("empty file") {
        const ContentLoad load = parse_content("", "en.json");
        REQUIRE(load.errors.size() == 1);
        CHECK(load.errors[0].message.rfind("invalid JSON", 0) == 0);
    }
    SECTION("absurd nesting") {
        const std::string deep = std::string(5000, '[') + std::string(5000, ']');
        const ContentLoad load = parse_content(deep, "en.json");
        REQUIRE(load.errors.size() == 1);
        CHECK(load.errors[0].message.find("nested more than") != std::string::npos);
    }
    SECTION("invalid UTF-8 inside a string") {
        std::string text = en;
        text.replace(text.find("How a model learns"), 1, "\xC3\x28");
        const ContentLoad load = parse_content(text, "en.json");
        REQUIRE_FALSE(load.errors.empty());
        CHECK(load.errors[0].message.rfind("invalid JSON", 0) == 0);
    }
    SECTION("oversized input") {
        const std::string huge(3u << 20, ' ');
        const ContentLoad load = parse_content(huge, "en.json");
        REQUIRE(load.errors.size() == 1);
        CHECK(load.errors[0].message.find("limit") != std::string::npos);
    }
}

TEST_CASE("[lesson] content: a translation that disagrees with the reference is reported") {
    struct Case {
        const char* name;
        std::function<void(Json&)> mutate;
        std::vector<const char*> expected;
    };
    const std::vector<Case> cases = {
        {"missing key in the translation", [](Json& j) { j["quiz"][3]["options"][1].erase("id"); },
         {"pt-BR.json: quiz[3].options[1].id: missing"}},
        {"id only in the translation",
         [](Json& j) { j["quiz"][2]["id"] = "q-renamed"; },
         {"pt-BR.json: quiz[2].id: \"q-renamed\" is not in en.json", "pt-BR.json: quiz: missing id \"q-what-is-the-model\" (present in en.json)"}},
        {"concept missing from the translation", [](Json& j) { j["concepts"].erase(j["concepts"].size() - 1); },
         {"pt-BR.json: concepts: missing id \"c-temperature\" (present in en.json)"}},
        {"different order",
         [](Json& j) { std::swap(j["stages"][0], j["stages"][1]); },
         {"pt-BR.json: stages[0].id: expected \"st-training-data\" at this position"}},
        {"option missing from the translation", [](Json& j) { j["quiz"][6]["options"].erase(4); },
         {"pt-BR.json: quiz[6].options: missing id \"o-vague-prompt\" (present in en.json)"}},
        {"a flipped right answer",
         [](Json& j) {
             j["quiz"][0]["options"][0]["correct"] = false;
             j["quiz"][0]["options"][1]["correct"] = true;
         },
         {"pt-BR.json: quiz[0].options[0].correct: false differs from en.json", "pt-BR.json: quiz[0].options[1].correct: true differs from en.json"}},
        {"a different question kind",
         [](Json& j) {
             j["quiz"][5]["kind"] = "single";
             j["quiz"][5]["options"][1]["correct"] = false;
         },
         {"pt-BR.json: quiz[5].kind: differs from en.json"}},
        {"a different demo", [](Json& j) { j["faq"][0]["demo"] = "lora"; }, {"pt-BR.json: faq[0].demo: \"lora\" differs from en.json"}},
        {"a different phase", [](Json& j) { j["stages"][4]["phase"] = "inference"; }, {"pt-BR.json: stages[4].phase: differs from en.json"}},
        {"a UI string only in the translation", [](Json& j) { j["ui"]["extra_button"] = "Extra"; },
         {"pt-BR.json: ui.extra_button: not in en.json"}},
        {"a lost placeholder", [](Json& j) { j["ui"]["quiz_complete"] = "Você acertou {score}."; },
         {"pt-BR.json: ui.quiz_complete: placeholders {score} differ from en.json's {max} {score}"}},
        {"the same language twice", [](Json& j) { j["language"]["code"] = "en"; }, {"pt-BR.json: language.code: same language \"en\" as en.json"}},
    };
    for (const Case& c : cases) {
        SECTION(c.name) {
            const LessonLibrary library = load_with_mutated_translation(c.mutate);
            INFO(joined(library.errors));
            CHECK_FALSE(library.ok());
            // The reference still loads; the broken translation is kept out.
            REQUIRE(library.languages.size() == 1);
            CHECK(library.languages[0].language_code == "en");
            for (const char* e : c.expected) {
                INFO(e);
                CHECK(has_error_starting_with(library.errors, e));
            }
        }
    }
}

TEST_CASE("[lesson] content: an author's file goes through the same checks") {
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    const Content& en = library.languages[0];
    SECTION("a valid translation is accepted") {
        const ContentLoad load = load_author_content(embedded_content_text("pt-BR"), "pt-BR.json", en);
        INFO(joined(load.errors));
        REQUIRE(load.ok());
        CHECK(load.content->language_name == "Português (Brasil)");
    }
    SECTION("a new language with a missing question is refused with the path") {
        Json es = embedded_json("pt-BR");
        es["language"] = {{"code", "es"}, {"name", "Español"}};
        es["quiz"].erase(es["quiz"].size() - 1);
        const ContentLoad load = load_author_content(es.dump(), "es.json", en);
        CHECK_FALSE(load.ok());
        CHECK(error_strings(load.errors) == std::vector<std::string>{"es.json: quiz: missing id \"q-same-prompt\" (present in en.json)"});
    }
    SECTION("author comments are allowed") {
        Json es = embedded_json("pt-BR");
        es["language"] = {{"code", "es"}, {"name", "Español"}};
        es["_note"] = "work in progress";
        es["quiz"][0]["_todo"] = "review the wording";
        const ContentLoad load = load_author_content(es.dump(), "es.json", en);
        INFO(joined(load.errors));
        CHECK(load.ok());
    }
    SECTION("garbage is refused without a crash") {
        const ContentLoad load = load_author_content("not json at all", "mine.json", en);
        CHECK_FALSE(load.ok());
        REQUIRE(load.errors.size() == 1);
        CHECK(load.errors[0].file == "mine.json");
    }
    SECTION("no files at all") {
        const LessonLibrary none = load_languages({});
        CHECK_FALSE(none.ok());
        CHECK(none.errors.size() == 1);
    }
}

TEST_CASE("[lesson] content: random damage never crashes the loader") {
    const std::string en(embedded_content_text("en"));
    const auto seed = GENERATE(1u, 2u, 3u);
    knobs::Rng rng(seed);
    int rejected = 0;
    for (int trial = 0; trial < 40; ++trial) {
        std::string text = en;
        const int edits = 1 + static_cast<int>(rng.below(4));
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng.below(static_cast<std::uint32_t>(text.size()));
            switch (rng.below(3)) {
                case 0: text[at] = static_cast<char>(rng.below(256)); break;
                case 1: text.erase(at, 1 + rng.below(40)); break;
                default: text.insert(at, 1, "{}[]\",:0"[rng.below(8)]); break;
            }
        }
        const ContentLoad load = parse_content(text, "en.json");
        CHECK(load.ok() == load.errors.empty());
        rejected += load.ok() ? 0 : 1;
    }
    CHECK(rejected > 20);  // most random damage must be noticed
}

TEST_CASE("[lesson] content: placeholders") {
    CHECK(placeholders_in("All {max} pairs in {time}: {score} of {max}") == std::vector<std::string>{"max", "score", "time"});
    CHECK(placeholders_in("no braces").empty());
    CHECK(placeholders_in("{Not Valid} {ok}") == std::vector<std::string>{"ok"});
    const std::pair<std::string_view, std::string_view> values[] = {{"score", "4"}, {"max", "6"}};
    CHECK(fill_placeholders("{score} of {max}, {time}", values) == "4 of 6, {time}");
    CHECK(fill_placeholders("unclosed {score", values) == "unclosed {score");
    CHECK(fill_placeholders("", values).empty());
}

TEST_CASE("[lesson] content: demo and phase ids round-trip") {
    for (int d = 0; d < kNumDemos; ++d) CHECK(demo_from_id(demo_id(static_cast<Demo>(d))) == static_cast<Demo>(d));
    CHECK_FALSE(demo_from_id("").has_value());
    CHECK_FALSE(demo_from_id("Pretrain").has_value());
    CHECK(phase_from_id("finetuning") == Phase::finetuning);
    CHECK_FALSE(phase_from_id("training").has_value());
    const LessonLibrary library = load_embedded_content();
    REQUIRE(library.ok());
    CHECK(std::string(library.languages[1].ui_text("button_check")) == "Verificar");
    CHECK(std::string(library.languages[1].ui_text("no_such_key")) == "[missing text]");
}

TEST_CASE("[lesson] content: an empty or unusual key is named readably (found by fuzzing)") {
    // fuzz_content, fuzz/corpus/fuzz_content/regression-empty-key.json: an empty key gave an error with an
    // empty path, shown to the author as "fuzz.json: : unknown key".
    const ContentLoad empty = parse_content(R"({"format": 1, "": 1})", "fuzz.json");
    REQUIRE_FALSE(empty.content.has_value());
    REQUIRE_FALSE(empty.errors.empty());
    CHECK(empty.errors.front().path == "\"\"");
    CHECK(error_strings(empty.errors).front() == "fuzz.json: \"\": unknown key");
    for (const ContentError& e : empty.errors) CHECK_FALSE(e.path.empty());

    // Keys with spaces, dots or control characters are quoted and escaped, so the path stays one line.
    const ContentLoad odd = parse_content("{\"format\": 1, \"a.b c\": 1, \"x\\ny\": 2}", "fuzz.json");
    const std::vector<std::string> messages = error_strings(odd.errors);
    CHECK(std::count(messages.begin(), messages.end(), "fuzz.json: \"a.b c\": unknown key") == 1);
    CHECK(std::count(messages.begin(), messages.end(), "fuzz.json: \"x\\ny\": unknown key") == 1);
}
