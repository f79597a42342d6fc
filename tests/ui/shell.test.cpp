#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "app/i18n.h"
#include "catch_amalgamated.hpp"
#include "ui/style.h"
#include "ui_harness.h"

using knobs::testing::UiHarness;
using namespace knobs;

TEST_CASE("[ui] clicking the theme button switches the theme", "[ui]") {
    UiHarness ui;
    REQUIRE(ui.state.theme == Theme::dark);
    REQUIRE(ui.click("topbar.theme"));
    CHECK(ui.state.theme == Theme::light);
    REQUIRE(ui.click("topbar.theme"));
    CHECK(ui.state.theme == Theme::dark);
}

TEST_CASE("[ui] clicking the language button switches to Portuguese and back", "[ui]") {
    UiHarness ui;
    REQUIRE(ui.click("topbar.lang"));
    CHECK(ui.state.lang == "pt-BR");
    REQUIRE(ui.click("topbar.lang"));
    CHECK(ui.state.lang == "en");
}

TEST_CASE("[ui] the layout follows the canvas width", "[ui]") {
    const float dpr = GENERATE(1.0f, 2.0f, 3.0f);
    UiHarness ui(1280, 800, dpr);
    CHECK(ui.state.layout == Layout::two_column);
    ui.resize(390, 844, dpr);
    ui.frame();
    CHECK(ui.state.layout == Layout::tabs);
    ui.resize(899, 700, dpr);
    CHECK(ui.state.layout == Layout::tabs);
    ui.resize(900, 700, dpr);
    CHECK(ui.state.layout == Layout::two_column);
}

TEST_CASE("[ui] top bar controls stay inside the canvas at every size", "[ui]") {
    const float dpr = GENERATE(1.0f, 2.0f, 3.0f);
    const auto [w, h] = GENERATE(std::pair{1280.0f, 800.0f}, std::pair{390.0f, 844.0f}, std::pair{320.0f, 568.0f});
    const std::string lang = GENERATE("en", "pt-BR");
    UiHarness ui(w, h, dpr);
    set_language(ui.state, lang);
    ui.frame();
    ui.frame();
    for (const char* id : {"topbar.lang", "topbar.theme", "topbar.help"}) {
        INFO(id << " at " << w << "x" << h << " dpr " << dpr << " " << lang);
        REQUIRE(ui.state.hits.count(id) == 1);
        const HitRect r = ui.state.hits[id];
        CHECK(r.x >= 0);
        CHECK(r.x + r.w <= w + 0.5f);
        CHECK(r.y >= 0);
        CHECK(r.h > 0);
    }
}

TEST_CASE("[ui] touch targets are at least 40 CSS px on a coarse pointer", "[ui]") {
    UiHarness ui(390, 844, 3);
    ui.state.coarse_pointer = true;
    ui.frame();
    ui.frame();
    for (const char* id : {"topbar.lang", "topbar.theme", "topbar.help"})
        CHECK(ui.state.hits[id].h >= kTouchTargetCss - 0.5f);
}

TEST_CASE("[ui] commands change the state or explain why not", "[ui]") {
    UiHarness ui;
    SECTION("set_theme") {
        CHECK(run_command(ui.state, R"({"cmd":"set_theme","theme":"light"})").ok);
        CHECK(ui.state.theme == Theme::light);
        auto bad = run_command(ui.state, R"({"cmd":"set_theme","theme":"purple"})");
        CHECK_FALSE(bad.ok);
        CHECK(ui.state.theme == Theme::light);
    }
    SECTION("set_lang") {
        CHECK(run_command(ui.state, R"({"cmd":"set_lang","lang":"pt-BR"})").ok);
        CHECK(ui.state.lang == "pt-BR");
        CHECK_FALSE(run_command(ui.state, R"({"cmd":"set_lang","lang":"xx"})").ok);
        CHECK(ui.state.lang == "pt-BR");
    }
    SECTION("malformed input") {
        for (const char* text : {"", "not json", "[]", "{}", R"({"cmd":42})", R"({"cmd":"nope"})"}) {
            INFO(text);
            auto r = run_command(ui.state, text);
            CHECK_FALSE(r.ok);
            CHECK_FALSE(r.error.empty());
        }
    }
    SECTION("ui scale is clamped") {
        CHECK(run_command(ui.state, R"({"cmd":"set_ui_scale","scale":5})").ok);
        CHECK(ui.state.ui_scale == 2.0f);
    }
}

TEST_CASE("[ui] the state snapshot is valid JSON with the documented fields", "[ui]") {
    UiHarness ui;
    ui.frame();
    auto j = nlohmann::json::parse(state_json(ui.state));
    for (const char* key : {"ready", "frame", "theme", "lang", "layout", "dpr", "canvas", "hit", "panels"})
        CHECK(j.contains(key));
    CHECK(j["hit"].contains("topbar.theme"));
    CHECK(j["layout"] == "two-column");
}

TEST_CASE("[ui] both themes keep text contrast at or above 4.5:1", "[ui]") {
    for (Theme t : {Theme::dark, Theme::light}) {
        const Palette& p = palette(t);
        INFO((t == Theme::dark ? "dark" : "light"));
        for (const ImVec4& bg : {p.bg, p.panel, p.panel_alt}) {
            CHECK(contrast_ratio(p.text, bg) >= 4.5f);
            CHECK(contrast_ratio(p.text_dim, bg) >= 4.5f);
            CHECK(contrast_ratio(p.accent, bg) >= 4.5f);
            CHECK(contrast_ratio(p.good, bg) >= 4.5f);
            CHECK(contrast_ratio(p.bad, bg) >= 4.5f);
            CHECK(contrast_ratio(p.warn, bg) >= 4.5f);
        }
        CHECK(contrast_ratio(p.accent_text, p.accent) >= 4.5f);
    }
}

TEST_CASE("[ui] every UI string the shell draws exists in both languages", "[ui]") {
    MissingStrings recorded;
    for (const char* lang : {"en", "pt-BR"}) {
        UiHarness ui;
        set_language(ui.state, lang);
        for (int i = 0; i < kNumPanels; ++i) {
            open_panel(ui.state, static_cast<PanelId>(i));
            ui.frame();
            ui.frame();
        }
        ui.resize(390, 844, 3);
        ui.frame();
    }
    const auto& missing = recorded.keys();
    for (const auto& m : missing) UNSCOPED_INFO("missing UI string: " << m);
    CHECK(missing.empty());
}

TEST_CASE("[ui] a MissingStrings recorder sees only the misses made while it lives", "[ui]") {
    (void)tr("pt-BR", "test.not_a_key.before");  // no recorder: nothing is kept anywhere
    MissingStrings outer;
    (void)tr("pt-BR", "test.not_a_key.outer");
    {
        MissingStrings inner;
        (void)tr("en", "test.not_a_key.inner");
        CHECK(inner.keys() == std::set<std::string>{"en:test.not_a_key.inner"});
    }
    CHECK(outer.keys() == std::set<std::string>{"pt-BR:test.not_a_key.outer"});
}
