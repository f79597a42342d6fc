// The accessibility mirror (src/ui/a11y.h) captured from the real UI, headless.
#include <algorithm>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

#include "app/i18n.h"
#include "catch_amalgamated.hpp"
#include "ui/a11y.h"
#include "ui/chart.h"
#include "ui_harness.h"

using knobs::testing::UiHarness;
using namespace knobs;

namespace {

void capture(UiHarness& ui) {
    ui.state.a11y.capture_requested = true;
    ui.frame();
}

const A11yNode* find_node(const AppState& s, const std::string& role, const std::string& label) {
    for (const A11yNode& n : s.a11y.nodes)
        if (n.role == role && n.label == label) return &n;
    return nullptr;
}

bool has_text_containing(const AppState& s, const std::string& part) {
    return std::any_of(s.a11y.nodes.begin(), s.a11y.nodes.end(),
                       [&](const A11yNode& n) { return n.role == "text" && n.label.find(part) != std::string::npos; });
}

std::string panel_label(const AppState& s, const char* key) { return tr(s.lang, (std::string("panel.") + key).c_str()); }

// Activates a control the way the page does (by the id from the last capture) and lets ImGui act on it.
void activate(UiHarness& ui, uint32_t id, bool for_input = false) {
    REQUIRE(a11y_activate(ui.state, id, for_input));
    ui.frame();  // queues the activation
    ui.frame();  // ImGui acts on it when the item comes again
    ui.frame();
}

}  // namespace

TEST_CASE("[ui] a11y nothing is captured until the page asks", "[ui][a11y]") {
    UiHarness ui;
    ui.frame();
    CHECK(ui.state.a11y.nodes.empty());
    CHECK(ui.state.a11y.captured_frame == 0);
    capture(ui);
    const uint64_t first = ui.state.a11y.captured_frame;
    CHECK(first > 0);
    CHECK_FALSE(ui.state.a11y.nodes.empty());
    ui.frame();  // one request, one capture
    CHECK(ui.state.a11y.captured_frame == first);
}

TEST_CASE("[ui] a11y capture has the tabs, the lesson text and labelled controls", "[ui][a11y]") {
    const std::string lang = GENERATE("en", "pt-BR");
    UiHarness ui;
    set_language(ui.state, lang);
    ui.frame();
    capture(ui);
    INFO(lang);

    const A11yNode* lifecycle = find_node(ui.state, "tab", panel_label(ui.state, "lifecycle"));
    REQUIRE(lifecycle);
    CHECK(lifecycle->checked);  // the lesson side opens on the lifecycle
    CHECK(lifecycle->region == "lesson");
    const A11yNode* quiz = find_node(ui.state, "tab", panel_label(ui.state, "quiz"));
    REQUIRE(quiz);
    CHECK_FALSE(quiz->checked);
    const A11yNode* pretrain = find_node(ui.state, "tab", panel_label(ui.state, "pretrain"));
    REQUIRE(pretrain);
    CHECK(pretrain->region == "lab");
    CHECK(pretrain->checked);

    // The pre-train panel's corpus combo shows its current value; its help marker speaks its explanation.
    const auto combo = std::find_if(ui.state.a11y.nodes.begin(), ui.state.a11y.nodes.end(),
                                    [&](const A11yNode& n) { return n.role == "combo" && n.label == tr(lang, "pretrain.corpus"); });
    REQUIRE(combo != ui.state.a11y.nodes.end());
    CHECK_FALSE(combo->value.empty());
    CHECK(has_text_containing(ui.state, tr(lang, "pretrain.corpus_help")));
    CHECK_FALSE(has_text_containing(ui.state, "(?)"));

    size_t texts = 0, buttons = 0;
    for (const A11yNode& n : ui.state.a11y.nodes) {
        INFO(n.role << " '" << n.label << "' in " << n.region);
        if (n.role == "group" || n.role == "end") continue;  // structure (a11y_lesson.test.cpp)
        CHECK_FALSE(n.label.empty());
        CHECK(n.label.find("##") == std::string::npos);
        if (n.role == "text" || n.role == "heading") {
            texts += n.role == "text";
            CHECK(n.id == 0);
        } else {
            CHECK(n.id != 0);
            // Controls sit on the canvas (scrolled-out ones may sit below it, never beside it).
            CHECK(n.rect.w > 0);
            CHECK(n.rect.h > 0);
            CHECK(n.rect.x >= 0);
            CHECK(n.rect.x + n.rect.w <= ui.state.canvas_css_w + 0.5f);
        }
        if (n.role == "button") ++buttons;
    }
    CHECK(texts >= 10);
    CHECK(buttons >= 3);
}

TEST_CASE("[ui] a11y rectangles are in CSS pixels at every DPR", "[ui][a11y]") {
    const float dpr = GENERATE(1.0f, 2.0f);
    UiHarness ui(1280, 800, dpr);
    ui.frame();
    capture(ui);
    const A11yNode* tab = find_node(ui.state, "tab", panel_label(ui.state, "quiz"));
    REQUIRE(tab);
    REQUIRE(ui.state.hits.count("tab.quiz") == 1);
    const HitRect hit = ui.state.hits["tab.quiz"];
    CHECK_THAT(tab->rect.x, Catch::Matchers::WithinAbs(hit.x, 1.0));
    CHECK_THAT(tab->rect.y, Catch::Matchers::WithinAbs(hit.y, 1.0));
    CHECK_THAT(tab->rect.w, Catch::Matchers::WithinAbs(hit.w, 1.0));
}

TEST_CASE("[ui] a11y activating a tab from the mirror opens its panel", "[ui][a11y]") {
    UiHarness ui;
    capture(ui);
    const A11yNode* quiz = find_node(ui.state, "tab", panel_label(ui.state, "quiz"));
    REQUIRE(quiz);
    REQUIRE(ui.state.focused_lesson_panel == PanelId::lifecycle);
    activate(ui, quiz->id);
    CHECK(ui.state.focused_lesson_panel == PanelId::quiz);
    capture(ui);
    const A11yNode* quiz_after = find_node(ui.state, "tab", panel_label(ui.state, "quiz"));
    REQUIRE(quiz_after);
    CHECK(quiz_after->checked);
}

TEST_CASE("[ui] a11y a disclosure opens and a checkbox toggles from the mirror", "[ui][a11y]") {
    UiHarness ui;
    capture(ui);
    const A11yNode* inference = find_node(ui.state, "tab", panel_label(ui.state, "inference"));
    REQUIRE(inference);
    activate(ui, inference->id);
    REQUIRE(ui.state.focused_lab_panel == PanelId::inference);
    capture(ui);

    const A11yNode* sampling = find_node(ui.state, "disclosure", tr("en", "inference.sampling"));
    REQUIRE(sampling);
    CHECK_FALSE(sampling->expanded);
    CHECK_FALSE(find_node(ui.state, "checkbox", tr("en", "inference.greedy")));  // inside the closed header
    activate(ui, sampling->id);
    capture(ui);
    sampling = find_node(ui.state, "disclosure", tr("en", "inference.sampling"));
    REQUIRE(sampling);
    CHECK(sampling->expanded);

    const A11yNode* greedy = find_node(ui.state, "checkbox", tr("en", "inference.greedy"));
    REQUIRE(greedy);
    CHECK(greedy->checked == ui.state.lab_ui.sampling.greedy);
    const bool before = ui.state.lab_ui.sampling.greedy;
    activate(ui, greedy->id);
    CHECK(ui.state.lab_ui.sampling.greedy == !before);
    capture(ui);
    greedy = find_node(ui.state, "checkbox", tr("en", "inference.greedy"));
    REQUIRE(greedy);
    CHECK(greedy->checked == !before);

    // Sliders are inputs whose value is what the slider shows.
    const A11yNode* temperature = find_node(ui.state, "input", tr("en", "inference.temperature"));
    REQUIRE(temperature);
    CHECK_FALSE(temperature->value.empty());
}

TEST_CASE("[ui] a11y text scrolled out of view is still in the capture", "[ui][a11y]") {
    // A phone-sized canvas shows one column of tabs; the lifecycle panel's text runs far below the fold.
    std::vector<std::string> lesson_lines;
    {
        UiHarness big;  // one harness (one ImGui context) at a time
        capture(big);
        for (const A11yNode& n : big.state.a11y.nodes)
            if (n.role == "text" && n.region == "lesson") lesson_lines.push_back(n.label);
    }
    REQUIRE(lesson_lines.size() >= 4);

    UiHarness small(360, 480);
    small.frame();
    capture(small);
    for (const std::string& line : lesson_lines) {
        INFO(line);
        CHECK(has_text_containing(small.state, line.substr(0, 40)));
    }
}

TEST_CASE("[ui] a11y activation refuses ids the capture does not have", "[ui][a11y]") {
    UiHarness ui;
    CHECK_FALSE(a11y_activate(ui.state, 12345, false));  // nothing captured yet
    capture(ui);
    CHECK_FALSE(a11y_activate(ui.state, 0, false));
    CHECK(ui.state.a11y.activations.empty());
}

TEST_CASE("[ui] a11y json lists the nodes with their roles and states", "[ui][a11y]") {
    UiHarness ui;
    capture(ui);
    const auto j = nlohmann::json::parse(a11y_json(ui.state));
    CHECK(j["frame"].get<uint64_t>() == ui.state.a11y.captured_frame);
    CHECK(j["lang"] == "en");
    // Groups nest what lies between their begin and end; flattened, every node but the ends is there.
    std::vector<nlohmann::json> flat;
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& list) {
        for (const auto& n : list) {
            flat.push_back(n);
            if (n.contains("children")) walk(n["children"]);
        }
    };
    walk(j["nodes"]);
    const auto ends = std::count_if(ui.state.a11y.nodes.begin(), ui.state.a11y.nodes.end(), [](const A11yNode& n) { return n.role == "end"; });
    REQUIRE(flat.size() == ui.state.a11y.nodes.size() - static_cast<size_t>(ends));
    bool saw_tab = false;
    for (const auto& n : flat) {
        if (n["role"] == "group") {
            CHECK_FALSE(n.contains("id"));
            CHECK(n.contains("kind"));
        } else if (n["role"] == "text" || n["role"] == "heading") {
            CHECK_FALSE(n.contains("id"));
        } else {
            CHECK(n["id"].get<uint32_t>() != 0);
            CHECK(n["rect"].size() == 4);
        }
        if (n["role"] == "tab") {
            saw_tab = true;
            CHECK(n.contains("checked"));
        }
    }
    CHECK(saw_tab);
}

TEST_CASE("[ui] a11y a captured frame draws the same controls in the same places", "[ui][a11y]") {
    UiHarness ui;
    ui.frame();
    const auto before = ui.state.hits;
    capture(ui);
    REQUIRE(before.size() == ui.state.hits.size());
    for (const auto& [id, r] : before) {
        INFO(id);
        REQUIRE(ui.state.hits.count(id) == 1);
        CHECK_THAT(ui.state.hits[id].y, Catch::Matchers::WithinAbs(r.y, 0.01));
        CHECK_THAT(ui.state.hits[id].h, Catch::Matchers::WithinAbs(r.h, 0.01));
    }
}

TEST_CASE("[ui] a11y chart summary says what the chart shows, in the app's language", "[ui][a11y]") {
    LineChart chart;
    chart.x_label = "step";
    chart.y_label = "loss";
    const float gap = std::numeric_limits<float>::quiet_NaN();
    chart.series.push_back({"train", 0, {1, 2, 3, 4}, {3.0f, gap, 2.5f, 2.0f}, false});
    chart.series.push_back({"val", 0, {}, {}, false});
    CHECK(chart_summary(chart) ==
          "Chart of loss by step. train: 3 points, step 1 to 4; last 2, lowest 2, highest 3. val: no points yet.");
    chart.lang = "pt-BR";
    CHECK(chart_summary(chart).rfind("Gráfico de loss por step. train: 3 pontos", 0) == 0);
}

TEST_CASE("[ui] a11y the loss chart and the lifecycle diagram are in words", "[ui][a11y]") {
    UiHarness ui;
    capture(ui);
    const std::string loss_chart = std::string("Chart of ") + tr("en", "pretrain.loss") + " by " + tr("en", "pretrain.step_label") + ".";
    CHECK(has_text_containing(ui.state, loss_chart));
    // Each stage of the lifecycle diagram is a button named by its box's words.
    size_t stages = 0;
    for (const A11yNode& n : ui.state.a11y.nodes)
        if (n.role == "button" && n.region == "lesson" && n.rect.h > 0 && n.label.find(": ") != std::string::npos) ++stages;
    CHECK(stages >= 4);
}

TEST_CASE("[ui] a11y quiz options are radios or checkboxes that answer from the mirror", "[ui][a11y]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::quiz);
    ui.frame();
    capture(ui);
    std::vector<A11yNode> options;
    for (const A11yNode& n : ui.state.a11y.nodes)
        if (n.region == "lesson" && (n.role == "radio" || n.role == "checkbox")) options.push_back(n);
    REQUIRE(options.size() >= 2);
    for (const A11yNode& o : options) {
        INFO(o.label);
        CHECK_FALSE(o.checked);
        CHECK(o.label.size() > 3);  // the option's words, not an id
    }
    activate(ui, options.front().id);
    capture(ui);
    const auto chosen = std::find_if(ui.state.a11y.nodes.begin(), ui.state.a11y.nodes.end(),
                                     [&](const A11yNode& n) { return n.id == options.front().id; });
    REQUIRE(chosen != ui.state.a11y.nodes.end());
    CHECK(chosen->checked);
    CHECK(chosen->role == options.front().role);
}

TEST_CASE("[ui] a11y knob dials say their value; separators are not headings", "[ui][a11y]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::knobs);
    ui.frame();
    capture(ui);
    size_t dials = 0;
    for (const A11yNode& n : ui.state.a11y.nodes) {
        INFO(n.role << " '" << n.label << "'");
        if (n.role == "heading") CHECK(n.label.find_first_not_of('-') != std::string::npos);
        if (n.role == "button" && n.region == "lab" && n.label.find(" = ") != std::string::npos) ++dials;
    }
    CHECK(dials >= 8);
}
