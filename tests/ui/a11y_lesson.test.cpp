// The lesson panels' structure in the accessibility mirror (src/ui/a11y.h): the comparison table as
// rows and header cells, the quiz as radio or checkbox groups, the matching game as toggle buttons, the
// FAQ as headings, two-way through activations, and the announcements for the live region. Expected
// words come from the lesson content, never from copies.
#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/i18n.h"
#include "app/lesson_state.h"
#include "catch_amalgamated.hpp"
#include "ui/a11y.h"
#include "ui_harness.h"

using knobs::testing::UiHarness;
using namespace knobs;
using nlohmann::json;

namespace {

json capture(UiHarness& ui) {
    ui.state.a11y.capture_requested = true;
    ui.frame();
    return json::parse(a11y_json(ui.state));
}

// Frames until the mirror has captured the effect of activation `seq` (it captures that by itself).
json settle(UiHarness& ui, uint32_t seq) {
    for (int i = 0; i < 6 && ui.state.a11y.captured_settled < seq; ++i) ui.frame();
    REQUIRE(ui.state.a11y.captured_settled >= seq);
    return json::parse(a11y_json(ui.state));
}

json act(UiHarness& ui, uint32_t id) {
    const uint32_t seq = a11y_activate(ui.state, id, false);
    REQUIRE(seq > 0);
    return settle(ui, seq);
}

// Every node of a nested capture, depth first, for which `pick` holds.
std::vector<json> find_all(const json& nodes, const std::function<bool(const json&)>& pick) {
    std::vector<json> out;
    std::function<void(const json&)> walk = [&](const json& list) {
        for (const auto& n : list) {
            if (pick(n)) out.push_back(n);
            if (n.contains("children")) walk(n["children"]);
        }
    };
    walk(nodes);
    return out;
}

json group(const json& capture, const std::string& kind, const std::string& key) {
    const auto found = find_all(capture["nodes"], [&](const json& n) { return n["role"] == "group" && n["kind"] == kind && n["key"] == key; });
    REQUIRE(found.size() == 1);
    return found.front();
}

// All the words inside a node, joined by spaces.
std::string words(const json& n) {
    std::string out = n.value("label", "");
    if (n.contains("children"))
        for (const auto& c : n["children"]) {
            const std::string w = words(c);
            if (!w.empty()) out += (out.empty() ? "" : " ") + w;
        }
    return out;
}

bool announced(const AppState& s, const std::string& part) {
    return std::any_of(s.a11y.announcements.begin(), s.a11y.announcements.end(),
                       [&](const A11yAnnouncement& a) { return a.text.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("[ui] a11y the comparison table is rows of header and data cells", "[ui][a11y]") {
    const std::string lang = GENERATE("en", "pt-BR");
    INFO(lang);
    UiHarness ui;
    set_language(ui.state, lang);
    open_panel(ui.state, PanelId::table);
    ui.frame();
    const json cap = capture(ui);
    const lesson::Content& content = *lesson_content(ui.state);
    const lesson::Comparison& cmp = content.comparison;

    const json panel = group(cap, "panel", "table");
    CHECK(panel["label"] == cmp.title);
    const json table = group(cap, "table", "table.content");
    const json& rows = table["children"];
    REQUIRE(rows.size() == cmp.rows.size() + 1);
    // The header row: the aspect column and one column per phase, all column headers.
    const json& head = rows[0];
    CHECK(head["kind"] == "row");
    REQUIRE(head["children"].size() == cmp.columns.size() + 1);
    CHECK(head["children"][0]["header"] == "col");
    CHECK(words(head["children"][0]) == cmp.aspect_header);
    for (size_t c = 0; c < cmp.columns.size(); ++c) {
        CHECK(head["children"][c + 1]["header"] == "col");
        CHECK(words(head["children"][c + 1]) == cmp.columns[c].title);
    }
    // Each row headed by its aspect, then the content's cells in column order, with no "|" from ImGui's log.
    for (size_t r = 0; r < cmp.rows.size(); ++r) {
        const json& row = rows[r + 1];
        REQUIRE(row["children"].size() == cmp.columns.size() + 1);
        CHECK(row["children"][0]["header"] == "row");
        CHECK(words(row["children"][0]) == cmp.rows[r].aspect);
        for (size_t c = 0; c < cmp.columns.size(); ++c) {
            CHECK_FALSE(row["children"][c + 1].contains("header"));
            CHECK(words(row["children"][c + 1]) == cmp.rows[r].cells[c]);
        }
    }
    // The measured table is captioned by its title, with the help as its description; a phase not run
    // yet offers its "show me" button inside its cell.
    const json measured = group(cap, "table", "table.measured");
    CHECK(measured["label"] == tr(lang, "lesson.table_measured"));
    CHECK(measured["description"] == tr(lang, "lesson.table_measured_help"));
    const auto buttons = find_all(measured["children"], [](const json& n) { return n["role"] == "button"; });
    CHECK(buttons.size() == cmp.columns.size());
    const auto bars = find_all(cap["nodes"], [](const json& n) { return n["role"] == "text" && n["label"].get<std::string>().find('|') != std::string::npos; });
    CHECK(bars.empty());
}

TEST_CASE("[ui] a11y a narrow comparison is one captioned table per phase", "[ui][a11y]") {
    UiHarness ui(360, 700);
    open_panel(ui.state, PanelId::table);
    ui.frame();
    const json cap = capture(ui);
    const lesson::Comparison& cmp = lesson_content(ui.state)->comparison;
    for (size_t c = 0; c < cmp.columns.size(); ++c) {
        const json table = group(cap, "table", "table.phase." + cmp.columns[c].id);
        CHECK(table["label"] == cmp.columns[c].title);
        const json& first = table["children"][0];
        CHECK(first["children"][0]["header"] == "row");
        CHECK(words(first["children"][0]) == cmp.rows[0].aspect);
        CHECK(words(first["children"][1]) == cmp.rows[0].cells[c]);
    }
}

TEST_CASE("[ui] a11y the quiz is an option group answered and checked from the mirror", "[ui][a11y]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::quiz);
    ui.frame();
    json cap = capture(ui);
    const lesson::Content& content = *lesson_content(ui.state);
    lesson::QuizSession& quiz = *ui.state.lesson.quiz;
    const int q = ui.state.lesson.current_question;
    const lesson::QuizQuestion& question = *content.find_question(quiz.question_id(q));
    const bool single = question.kind == lesson::QuestionKind::single;

    CHECK(group(cap, "panel", "quiz")["label"] == lesson_text(ui.state, "title_quiz"));
    json options = group(cap, single ? "radiogroup" : "checkboxgroup", "quiz." + question.id);
    CHECK(options["label"] == question.prompt);
    CHECK(options["description"] == lesson_text(ui.state, single ? "quiz_single_hint" : "quiz_multiple_hint"));
    const auto radios = find_all(options["children"], [&](const json& n) { return n["role"] == (single ? "radio" : "checkbox"); });
    REQUIRE(radios.size() == question.options.size());
    // The prompt is the legend only, not a paragraph as well.
    CHECK(find_all(cap["nodes"], [&](const json& n) { return n["role"] == "text" && n["label"] == question.prompt; }).empty());
    // The question strip says "Question 1 of N", and which one is current.
    const auto pages = find_all(cap["nodes"], [](const json& n) { return n["role"] == "page"; });
    REQUIRE(pages.size() == static_cast<size_t>(quiz.question_count()));
    CHECK(pages[static_cast<size_t>(q)]["checked"] == true);

    // Choose the right option (a single-answer question has one) through the mirror.
    int right = -1;
    for (int o = 0; o < static_cast<int>(question.options.size()); ++o)
        if (question.options[static_cast<size_t>(o)].correct) right = o;
    REQUIRE(right >= 0);
    const std::string right_text = question.options[static_cast<size_t>(right)].text;
    const auto right_node = std::find_if(radios.begin(), radios.end(), [&](const json& n) { return n["label"] == right_text; });
    REQUIRE(right_node != radios.end());
    cap = act(ui, (*right_node)["id"].get<uint32_t>());
    CHECK(quiz.is_selected(q, right));
    options = group(cap, single ? "radiogroup" : "checkboxgroup", "quiz." + question.id);
    for (const auto& n : options["children"])
        if (n["role"] == (single ? "radio" : "checkbox")) CHECK(n["checked"] == (n["label"] == right_text));

    // Check it through the mirror's button: the question is checked, its options are locked, and the
    // verdict, the option's feedback and the score are announced.
    const auto check = find_all(cap["nodes"], [&](const json& n) { return n["role"] == "button" && n["label"] == lesson_text(ui.state, "button_check"); });
    REQUIRE(check.size() == 1);
    cap = act(ui, check.front()["id"].get<uint32_t>());
    REQUIRE(quiz.is_checked(q));
    // A named copy: a range-for over a member of group()'s temporary would read freed memory.
    const json locked = group(cap, single ? "radiogroup" : "checkboxgroup", "quiz." + question.id);
    for (const auto& n : locked["children"])
        if (n.contains("id")) CHECK(n["disabled"] == true);
    if (single) {
        CHECK(announced(ui.state, std::string("✓ ") + lesson_text(ui.state, "label_correct")));
        CHECK(announced(ui.state, question.options[static_cast<size_t>(right)].feedback));
    }
    CHECK(announced(ui.state, std::string(lesson_text(ui.state, "label_score")) + ": "));
    const json said = cap["announcements"];
    REQUIRE_FALSE(said.empty());
    CHECK(said.back()["seq"] == ui.state.a11y.announce_seq);
    // A locked option refuses activation.
    CHECK(a11y_activate(ui.state, (*right_node)["id"].get<uint32_t>(), false) == 0);
}

TEST_CASE("[ui] a11y checking with nothing chosen is announced", "[ui][a11y]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::quiz);
    ui.frame();
    const json cap = capture(ui);
    const auto check = find_all(cap["nodes"], [&](const json& n) { return n["role"] == "button" && n["label"] == lesson_text(ui.state, "button_check"); });
    REQUIRE(check.size() == 1);
    act(ui, check.front()["id"].get<uint32_t>());
    CHECK(announced(ui.state, lesson_text(ui.state, "quiz_select_first")));
}

TEST_CASE("[ui] a11y a capture taken before the activation took effect says so", "[ui][a11y]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::quiz);
    ui.frame();
    const json cap = capture(ui);
    const auto radios = find_all(cap["nodes"], [](const json& n) { return n["role"] == "radio" || n["role"] == "checkbox"; });
    REQUIRE_FALSE(radios.empty());
    const uint32_t id = radios.front()["id"].get<uint32_t>();
    const uint32_t seq = a11y_activate(ui.state, id, false);
    REQUIRE(seq > 0);
    ui.frame();  // hands it to ImGui and asks for a capture next frame
    ui.frame();  // ImGui acts on it while this frame is captured: drawn before the choice was applied
    CHECK(ui.state.a11y.captured_settled < seq);
    ui.frame();  // the next capture comes by itself, and shows the choice
    CHECK(ui.state.a11y.captured_settled == seq);
    const auto after = find_all(json::parse(a11y_json(ui.state))["nodes"], [&](const json& n) { return n.value("id", 0u) == id; });
    REQUIRE(after.size() == 1);
    CHECK(after.front()["checked"] == true);
}

TEST_CASE("[ui] a11y the matching game is toggle buttons, played from the mirror", "[ui][a11y]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::matching);
    ui.frame();
    json cap = capture(ui);
    const lesson::Content& content = *lesson_content(ui.state);
    lesson::MatchingGame& game = *ui.state.lesson.matching;
    CHECK(group(cap, "panel", "matching")["label"] == lesson_text(ui.state, "title_matching"));
    auto cards = [&](const json& c) { return find_all(group(c, "cards", "match.cards")["children"], [](const json& n) { return n["role"] == "toggle"; }); };
    REQUIRE(cards(cap).size() == static_cast<size_t>(game.card_count()));
    for (const auto& card : cards(cap)) {
        CHECK(card["pressed"] == false);
        CHECK_FALSE(card.contains("matched"));
        const std::string set = card["set"];
        CHECK((set == tr("en", "lesson.match_terms") || set == tr("en", "lesson.match_definitions")));
    }
    auto by_text = [&](const json& c, const std::string& text) {
        for (const auto& card : cards(c))
            if (card["label"] == text) return card;
        FAIL("no card " << text);
        return json();
    };
    const lesson::Concept& first = *content.find_concept(game.pair_id(0));
    const lesson::Concept& second = *content.find_concept(game.pair_id(1));

    // A wrong guess: selected (pressed), then a mistake that is announced.
    cap = act(ui, by_text(cap, first.term)["id"].get<uint32_t>());
    CHECK(by_text(cap, first.term)["pressed"] == true);
    cap = act(ui, by_text(cap, second.definition)["id"].get<uint32_t>());
    CHECK(game.mistakes() == 1);
    CHECK(announced(ui.state, lesson_text(ui.state, "matching_wrong")));
    CHECK(by_text(cap, first.term)["pressed"] == false);

    // A right pair: both cards matched, disabled, and naming each other; the match is announced.
    cap = act(ui, by_text(cap, first.term)["id"].get<uint32_t>());
    cap = act(ui, by_text(cap, first.definition)["id"].get<uint32_t>());
    CHECK(game.matched_pairs() == 1);
    const json term = by_text(cap, first.term), def = by_text(cap, first.definition);
    CHECK(term["matched"] == true);
    CHECK(term["disabled"] == true);
    CHECK(term["description"].get<std::string>().find(first.definition) != std::string::npos);
    CHECK(def["description"].get<std::string>().find(first.term) != std::string::npos);
    CHECK(announced(ui.state, std::string("✓ ") + lesson_text(ui.state, "matching_right") + " " + first.term));
    CHECK(a11y_activate(ui.state, term["id"].get<uint32_t>(), false) == 0);  // a matched card is done

    // The rest of the round from the mirror; the last pair announces the round's result.
    for (int p = 0; p < game.pair_count(); ++p) {
        const lesson::Concept& c = *content.find_concept(game.pair_id(p));
        if (by_text(cap, c.term).contains("matched")) continue;
        cap = act(ui, by_text(cap, c.definition)["id"].get<uint32_t>());
        cap = act(ui, by_text(cap, c.term)["id"].get<uint32_t>());
    }
    CHECK(game.complete());
    const std::string complete = lesson_text(ui.state, "matching_complete");
    CHECK(ui.state.a11y.announcements.back().text.find(complete.substr(0, complete.find('{'))) != std::string::npos);
}

TEST_CASE("[ui] a11y FAQ questions are headings that unfold their answers", "[ui][a11y]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::faq);
    ui.frame();
    json cap = capture(ui);
    const lesson::Content& content = *lesson_content(ui.state);
    CHECK(group(cap, "panel", "faq")["label"] == lesson_text(ui.state, "title_faq"));
    const auto questions = find_all(cap["nodes"], [](const json& n) { return n["role"] == "disclosure" && n.value("level", 0) == 4; });
    REQUIRE(questions.size() == content.faq.size());
    for (size_t i = 0; i < content.faq.size(); ++i) {
        CHECK(questions[i]["label"] == content.faq[i].question);
        CHECK(questions[i]["expanded"] == false);
    }
    const lesson::FaqEntry& entry = content.faq.front();
    auto answer_shown = [&](const json& c) {
        return !find_all(c["nodes"], [&](const json& n) { return n["role"] == "text" && n["label"] == entry.answer; }).empty();
    };
    CHECK_FALSE(answer_shown(cap));
    cap = act(ui, questions.front()["id"].get<uint32_t>());
    CHECK(ui.state.lesson.open_faq.count(entry.id) == 1);
    CHECK(answer_shown(cap));
    const auto open = find_all(cap["nodes"], [&](const json& n) { return n["role"] == "disclosure" && n["label"] == entry.question; });
    REQUIRE(open.size() == 1);
    CHECK(open.front()["expanded"] == true);
}

TEST_CASE("[ui] a11y announcements are numbered and only the last few are kept", "[ui][a11y]") {
    AppState s;
    for (int i = 1; i <= 12; ++i) s.announce("said " + std::to_string(i));
    s.announce("");  // nothing to say is not said
    REQUIRE(s.a11y.announcements.size() == 8);
    CHECK(s.a11y.announcements.front().text == "said 5");
    CHECK(s.a11y.announcements.back().seq == 12);
    CHECK(s.a11y.announce_seq == 12);
}
