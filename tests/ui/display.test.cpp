// Issue 8, visual and keyboard: the UI scale setting, reduced motion, and the keyboard shortcuts table
// (one table handles the keys and writes the Help panel's list).
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/i18n.h"
#include "catch_amalgamated.hpp"
#include "imgui_internal.h"
#include "ui/shortcuts.h"
#include "ui_harness.h"

using knobs::testing::UiHarness;
using namespace knobs;

namespace {

nlohmann::json state(const UiHarness& ui) { return nlohmann::json::parse(state_json(ui.state)); }

// Presses a chord (modifiers held around the key) over two frames, as a backend would.
void chord(UiHarness& ui, ImGuiKeyChord c) {
    ImGuiIO& io = ImGui::GetIO();
    const ImGuiKey key = static_cast<ImGuiKey>(c & ~ImGuiMod_Mask_);
    if (c & ImGuiMod_Shift) io.AddKeyEvent(ImGuiMod_Shift, true);
    if (c & ImGuiMod_Ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, true);
    ui.key(key);
    if (c & ImGuiMod_Shift) io.AddKeyEvent(ImGuiMod_Shift, false);
    if (c & ImGuiMod_Ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, false);
    ui.frame();
}

// The top-level area (window) that has the keyboard focus, "" when none.
std::string focused_area() {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    return g.NavWindow ? g.NavWindow->RootWindow->Name : "";
}

bool has_text_containing(const AppState& s, const std::string& part) {
    return std::any_of(s.a11y.nodes.begin(), s.a11y.nodes.end(),
                       [&](const A11yNode& n) { return n.label.find(part) != std::string::npos; });
}

// Runs frames until the lab has taken `steps` optimizer steps (a requested step runs in a later update).
void wait_for_step(UiHarness& ui, int steps) {
    for (int i = 0; i < 600 && ui.state.lab.pretrain().step < steps; ++i) ui.frame();
    REQUIRE(ui.state.lab.pretrain().step == steps);
}

// Starts a small run and shows the Knobs panel beside the lifecycle map (the lane of a running lab is live).
void show_knobs_with_a_model(UiHarness& ui) {
    ui.state.lab.step_once();
    wait_for_step(ui, 1);
    REQUIRE(ui.state.lab.pretrain().params > 0);
    open_panel(ui.state, PanelId::knobs);
    open_panel(ui.state, PanelId::lifecycle);
    ui.frame();
    ui.frame();
}

}  // namespace

TEST_CASE("[ui] the Help panel's size list sets the UI scale from the keyboard", "[ui][display]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::about);
    ui.frame();
    ui.frame();
    REQUIRE(ui.state.hits.count("about.scale") == 1);
    CHECK(state(ui)["ui_scale"] == 1.0);
    // Open the list, then choose the next size with the arrow key and Enter.
    REQUIRE(ui.click("about.scale"));
    ui.key(ImGuiKey_DownArrow);
    ui.key(ImGuiKey_DownArrow);
    ui.key(ImGuiKey_Enter);
    ui.frame();
    CHECK(ui.state.ui_scale > 1.0f);
    CHECK(ui.state.ui_scale <= 2.0f);
    CHECK(state(ui)["ui_scale"] == Catch::Approx(ui.state.ui_scale));
}

TEST_CASE("[ui] at 200% the top bar and the columns still fit the canvas without overlapping", "[ui][display]") {
    const std::string lang = GENERATE("en", "pt-BR");
    UiHarness ui(1280, 800, 1);
    set_language(ui.state, lang);
    set_ui_scale(ui.state, 2.0f);
    open_panel(ui.state, PanelId::about);
    ui.frame();
    ui.frame();
    CHECK(ui.state.layout == Layout::two_column);
    std::vector<std::pair<std::string, HitRect>> bar;
    for (const char* id : {"topbar.presets", "topbar.copy_link", "topbar.lang", "topbar.theme", "topbar.help"}) {
        INFO(id << " " << lang);
        REQUIRE(ui.state.hits.count(id) == 1);
        const HitRect r = ui.state.hits[id];
        CHECK(r.x >= 0);
        CHECK(r.x + r.w <= 1280.5f);
        bar.emplace_back(id, r);
    }
    // The tagline is left out rather than drawn under the buttons.
    if (ui.state.hits.count("topbar.tagline")) CHECK(ui.state.hits["topbar.tagline"].x + ui.state.hits["topbar.tagline"].w <= bar[0].second.x);
    for (size_t i = 1; i < bar.size(); ++i) {
        INFO(bar[i - 1].first << " then " << bar[i].first << " " << lang);
        CHECK(bar[i - 1].second.x + bar[i - 1].second.w <= bar[i].second.x);
    }
    // The Help panel's own controls sit inside the lesson column, below the top bar.
    for (const char* id : {"about.scale", "about.motion"}) {
        INFO(id << " " << lang);
        REQUIRE(ui.state.hits.count(id) == 1);
        const HitRect r = ui.state.hits[id];
        CHECK(r.y >= 2.0f * 48.0f);
        CHECK(r.x + r.w <= 1280.0f * 0.5f);
    }
}

TEST_CASE("[ui] the top bar keeps what fits at each UI scale and width", "[ui][display]") {
    const float scale = GENERATE(1.0f, 1.25f, 1.5f, 1.75f, 2.0f);
    const float width = GENERATE(900.0f, 1024.0f, 1280.0f, 1920.0f);
    const std::string lang = GENERATE("en", "pt-BR");
    INFO(width << " px at " << scale * 100 << "% in " << lang);
    UiHarness ui(width, 800, 1);
    set_language(ui.state, lang);
    set_ui_scale(ui.state, scale);
    ui.frame();
    ui.frame();
    // Left to right: whatever is drawn never overlaps what comes next, and all of it is inside the canvas.
    std::vector<HitRect> drawn;
    for (const char* id : {"topbar.tagline", "topbar.presets", "topbar.copy_link", "topbar.lang", "topbar.theme", "topbar.help"})
        if (ui.state.hits.count(id)) drawn.push_back(ui.state.hits[id]);
    REQUIRE(drawn.size() >= 3);
    for (size_t i = 1; i < drawn.size(); ++i) CHECK(drawn[i - 1].x + drawn[i - 1].w <= drawn[i].x);
    CHECK(drawn.back().x + drawn.back().w <= width + 0.5f);
    // At 100% on a desktop everything is there.
    if (scale == 1.0f && width >= 1280) CHECK(drawn.size() == 6);
}

TEST_CASE("[ui] the motion setting follows the system until the learner chooses", "[ui][display]") {
    UiHarness ui;
    CHECK_FALSE(reduced_motion(ui.state));
    CHECK(state(ui)["reduced_motion"] == false);
    REQUIRE(run_command(ui.state, R"({"cmd":"set_system_motion","reduce":true})").ok);
    CHECK(state(ui)["reduced_motion"] == true);
    CHECK(state(ui)["motion"]["setting"] == "system");
    REQUIRE(run_command(ui.state, R"({"cmd":"set_motion","motion":"full"})").ok);
    CHECK(state(ui)["reduced_motion"] == false);
    REQUIRE(run_command(ui.state, R"({"cmd":"set_system_motion","reduce":false})").ok);
    REQUIRE(run_command(ui.state, R"({"cmd":"set_motion","motion":"reduce"})").ok);
    CHECK(state(ui)["reduced_motion"] == true);
    CHECK(state(ui)["motion"]["system_reduced"] == false);
    CHECK_FALSE(run_command(ui.state, R"({"cmd":"set_motion","motion":"slow"})").ok);
    CHECK_FALSE(run_command(ui.state, R"({"cmd":"set_system_motion","reduce":"yes"})").ok);
    CHECK(ui.state.motion == MotionSetting::reduce);
}

TEST_CASE("[ui] under reduced motion the knobs jump and the lifecycle's flow stands still", "[ui][display]") {
    const bool reduce = GENERATE(true, false);
    INFO((reduce ? "reduced motion" : "full motion"));
    UiHarness ui;
    REQUIRE(run_command(ui.state, reduce ? R"({"cmd":"set_system_motion","reduce":true})" : R"({"cmd":"set_motion","motion":"full"})").ok);
    show_knobs_with_a_model(ui);

    // One step turns the knobs: record how they are drawn over the next frames.
    ui.state.lab.step_once();
    wait_for_step(ui, 2);
    ui.frame();
    const auto after_step = ui.state.anim.knob_shown;
    int frames_changed = 0;
    for (int i = 0; i < 10; ++i) {
        const auto before = ui.state.anim.knob_shown;
        ui.frame();
        if (ui.state.anim.knob_shown != before) ++frames_changed;
    }
    if (reduce) {
        CHECK(frames_changed == 0);
        CHECK(ui.state.anim.knob_shown == after_step);
    } else {
        CHECK(frames_changed > 3);  // still turning, frame after frame
    }

    // While a knob turns, what it says (its label in the accessibility mirror) is already the real value.
    ui.state.lab.step_once();
    wait_for_step(ui, 3);
    ui.state.a11y.capture_requested = true;
    ui.frame();
    char said[64];
    std::snprintf(said, sizeof said, "0,0 = %+.5f", ui.state.lab.tensor_values(ui.state.lab_ui.knob_tensor)[0]);
    CHECK(std::any_of(ui.state.a11y.nodes.begin(), ui.state.a11y.nodes.end(), [&](const A11yNode& n) { return n.label == said; }));

    // While training runs the pre-training lane is live; its flow moves only with full motion.
    ui.state.lab.play();
    ui.frame();
    REQUIRE(ui.state.lab.activity() == LabActivity::pretraining);
    const float phase = ui.state.anim.flow_phase;
    int phase_changes = 0;
    for (int i = 0; i < 10; ++i) {
        const float before = ui.state.anim.flow_phase;
        ui.frame();
        if (ui.state.anim.flow_phase != before) ++phase_changes;
    }
    ui.state.lab.pause();
    if (reduce) {
        CHECK(phase_changes == 0);
        CHECK(ui.state.anim.flow_phase == phase);
        CHECK_FALSE(ImGui::GetIO().ConfigInputTextCursorBlink);
    } else {
        CHECK(phase_changes == 10);
        CHECK(ImGui::GetIO().ConfigInputTextCursorBlink);
    }
}

TEST_CASE("[ui] the Help panel lists every shortcut of the table, in both languages", "[ui][display][keys]") {
    const std::string lang = GENERATE("en", "pt-BR");
    UiHarness ui;
    set_language(ui.state, lang);
    open_panel(ui.state, PanelId::about);
    ui.frame();
    ui.state.a11y.capture_requested = true;
    ui.frame();
    REQUIRE_FALSE(ui.state.a11y.nodes.empty());
    clear_missing_strings();
    for (const Shortcut& k : shortcuts()) {
        INFO(k.id << " in " << lang);
        const std::string keys = shortcut_keys_text(ui.state, k);
        const std::string what = tr(lang, k.what_key);
        CHECK_FALSE(keys.empty());
        CHECK(what != k.what_key);  // a real string, not the key
        CHECK(has_text_containing(ui.state, keys + ": " + what));
    }
    CHECK(missing_strings().empty());
    // The table names the keys the app, ImGui and the page handle.
    const auto table = shortcuts();
    for (const char* id : {"leave", "next_area", "previous_area", "arrows", "activate", "escape", "play_pause", "step", "reset"})
        CHECK(std::any_of(table.begin(), table.end(), [&](const Shortcut& k) { return std::string(k.id) == id; }));
}

TEST_CASE("[ui] every shortcut in the table does what the Help panel says", "[ui][display][keys]") {
    UiHarness ui;
    ui.frame();
    const auto table = shortcuts();
    auto entry = [&](const char* id) -> const Shortcut& {
        const auto it = std::find_if(table.begin(), table.end(), [&](const Shortcut& k) { return std::string(k.id) == id; });
        REQUIRE(it != table.end());
        return *it;
    };

    // The areas: next goes top bar -> lesson -> lab -> top bar; previous goes back; both chords of each.
    const Shortcut& next = entry("next_area");
    const Shortcut& previous = entry("previous_area");
    chord(ui, next.chord);
    CHECK(focused_area() == "##topbar");
    chord(ui, next.chord);
    CHECK(focused_area() == "##lesson");
    chord(ui, next.alt_chord);
    CHECK(focused_area() == "##lab");
    chord(ui, next.chord);
    CHECK(focused_area() == "##topbar");
    chord(ui, previous.chord);
    CHECK(focused_area() == "##lab");
    chord(ui, previous.alt_chord);
    CHECK(focused_area() == "##lesson");
    chord(ui, next.alt_chord);
    REQUIRE(focused_area() == "##lab");

    // The pre-training keys, with the lab column focused and the Pre-training panel shown.
    REQUIRE(ui.state.focused_lab_panel == PanelId::pretrain);
    const Shortcut& play = entry("play_pause");
    chord(ui, play.chord);
    CHECK(ui.state.lab.pretrain().running);
    chord(ui, play.chord);
    CHECK_FALSE(ui.state.lab.pretrain().running);
    const int step = ui.state.lab.pretrain().step;
    chord(ui, entry("step").chord);
    wait_for_step(ui, step + 1);
    chord(ui, ImGuiKey_R);  // without Shift, R does nothing
    CHECK(ui.state.lab.pretrain().step == step + 1);
    chord(ui, entry("reset").chord);
    CHECK(ui.state.lab.pretrain().step == 0);
    chord(ui, ImGuiMod_Ctrl | ImGuiKey_P);  // other modifiers do nothing (Ctrl+P prints in a browser)
    CHECK_FALSE(ui.state.lab.pretrain().running);

    // ImGui's navigation keys: the arrows move the focus, Space opens the top bar's presets, Escape closes them.
    ImGuiContext& g = *ImGui::GetCurrentContext();
    const ImGuiID in_lab = g.NavId;
    ui.key(ImGuiKey_DownArrow);
    ui.frame();
    CHECK(g.NavId != in_lab);
    chord(ui, previous.chord);
    chord(ui, previous.chord);
    REQUIRE(focused_area() == "##topbar");
    REQUIRE(g.NavId == ImGui::FindWindowByName("##topbar")->GetID("Presets"));
    ui.key(ImGuiKey_Space);
    ui.frame();
    CHECK(g.OpenPopupStack.Size == 1);
    ui.key(ImGuiKey_Escape);
    ui.frame();
    CHECK(g.OpenPopupStack.Size == 0);
    ui.key(ImGuiKey_RightArrow);
    ui.key(ImGuiKey_Enter);  // "Copy link"
    ui.frame();
    CHECK(g.NavId == ImGui::FindWindowByName("##topbar")->GetID("Copy link"));

    // The keys do nothing while a text field has the keyboard.
    ImGui::GetIO().WantTextInput = true;
    HandleShortcuts(ui.state, ShortcutScope::app);
}
