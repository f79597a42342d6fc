// Issue 21, item 3: controls that never surprise. Driven through ImGui with mouse events, as a learner would.
//  - A press on a slider's handle changes nothing; a drag from it keeps the grabbed point under the pointer;
//    a press on the track moves the value there.
//  - The learning rate's log slider maps its handle to its value exactly.
//  (The value's digits clear of the handle is checked by eye: docs/testing.md, issue 21 screenshots.)
//  - Reset asks before it throws a trained run away; a refused One step says why.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/i18n.h"
#include "app/settings.h"
#include "catch_amalgamated.hpp"
#include "ui_harness.h"

using knobs::testing::UiHarness;
using namespace knobs;

namespace {

double setting(const AppState& s, const char* key) {
    const SettingSpec* spec = find_setting(key);
    REQUIRE(spec);
    const SettingValue v = setting_value(s, *spec);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return static_cast<double>(std::get<long long>(v));
}

HitRect hit(UiHarness& ui, const std::string& id) {
    REQUIRE(ui.state.hits.count(id) == 1);
    return ui.state.hits[id];
}

// Mouse input in CSS px, one event per frame as a browser delivers them over several frames.
struct Mouse {
    UiHarness& ui;
    void move(float x, float y) {
        ImGui::GetIO().AddMousePosEvent(x * ui.state.dpr, y * ui.state.dpr);
        ui.frame();
    }
    void down() {
        ImGui::GetIO().AddMouseButtonEvent(0, true);
        ui.frame();
    }
    void up() {
        ImGui::GetIO().AddMouseButtonEvent(0, false);
        ui.frame();
        ui.frame();
    }
    void click(float x, float y) {
        move(x, y);
        down();
        up();
    }
    // Moves in steps of at most 2 px (a drag the way a hand makes it).
    void drag_to(float x0, float x1, float y) {
        const int steps = std::max(1, static_cast<int>(std::ceil(std::fabs(x1 - x0) / 2.0f)));
        for (int i = 1; i <= steps; ++i) move(x0 + (x1 - x0) * static_cast<float>(i) / static_cast<float>(steps), y);
    }
};

float centre_x(const HitRect& r) { return r.x + r.w * 0.5f; }
float centre_y(const HitRect& r) { return r.y + r.h * 0.5f; }

void show_pretrain(UiHarness& ui) {
    apply(ui.state, cmd::OpenPanel{PanelId::pretrain});
    ui.frame();
    ui.frame();
}

}  // namespace

TEST_CASE("[ui][controls] a press anywhere on a slider's handle changes no value", "[ui][controls]") {
    const float dpr = GENERATE(1.0f, 2.0f);
    UiHarness ui(1280, 800, dpr);
    show_pretrain(ui);
    Mouse m{ui};
    for (const char* key : {"lr", "batch"}) {
        const std::string id = std::string("pretrain.") + key;
        const double before = setting(ui.state, key);
        const HitRect h = hit(ui, id + ".handle");
        INFO(key << " at DPR " << dpr << ", handle " << h.x << "+" << h.w);
        // The centre, and both ends of the handle.
        for (float dx : {0.0f, -h.w * 0.5f + 1.0f, h.w * 0.5f - 1.0f}) {
            m.click(centre_x(h) + dx, centre_y(h));
            CHECK(setting(ui.state, key) == before);
        }
    }
    // The chart's smoothing (not a setting row: its handle is drawn by the same slider).
    const HitRect smooth = hit(ui, "pretrain.smoothing.handle");
    const float smooth_x = smooth.x;
    m.click(centre_x(smooth), centre_y(smooth));
    CHECK(hit(ui, "pretrain.smoothing.handle").x == smooth_x);
}

TEST_CASE("[ui][controls] a drag from the handle keeps the grabbed point; a press on the track jumps there", "[ui][controls]") {
    UiHarness ui;
    show_pretrain(ui);
    Mouse m{ui};
    const double start = setting(ui.state, "lr");   // 0.01 as the settings keep it (a float)
    REQUIRE(start == Catch::Approx(0.01));
    const HitRect h = hit(ui, "pretrain.lr.handle");
    const float x = centre_x(h) + 3.0f, y = centre_y(h);   // grabbed 3 px right of the centre
    m.move(x, y);
    m.down();
    CHECK(setting(ui.state, "lr") == start);
    m.drag_to(x, x + 40.0f, y);
    const double dragged = setting(ui.state, "lr");
    CHECK(dragged > start);
    // The handle moved exactly as far as the pointer: the grabbed point stays under it.
    CHECK(hit(ui, "pretrain.lr.handle").x == Catch::Approx(h.x + 40.0f).margin(0.01));
    m.drag_to(x + 40.0f, x, y);
    m.up();
    CHECK(setting(ui.state, "lr") == Catch::Approx(start).epsilon(1e-6));   // back where it was, exactly: no jump of half a handle
    // The track's left end, far from the handle: the lowest value.
    const HitRect frame = hit(ui, "pretrain.lr");
    m.click(frame.x + 3.0f, y);
    CHECK(setting(ui.state, "lr") == Catch::Approx(1e-5).epsilon(1e-6));
}

TEST_CASE("[ui][controls] the learning rate's log slider puts its handle exactly where its value maps", "[ui][controls]") {
    UiHarness ui;
    show_pretrain(ui);
    Mouse m{ui};
    // 1e-5 .. 10 on a log scale: the handle's centre moves the same distance for each factor of ten.
    std::vector<float> centres;
    for (double lr : {1e-4, 1e-3, 1e-2, 1e-1, 1.0}) {
        REQUIRE(apply(ui.state, cmd::SetSetting{"lr", lr}).ok);
        ui.frame();
        ui.frame();
        centres.push_back(centre_x(hit(ui, "pretrain.lr.handle")));
        // A press on that handle and a drag away and back lands on the same value: handle and value agree.
        const HitRect h = hit(ui, "pretrain.lr.handle");
        m.move(centre_x(h), centre_y(h));
        m.down();
        m.drag_to(centre_x(h), centre_x(h) + 12.0f, centre_y(h));
        m.drag_to(centre_x(h) + 12.0f, centre_x(h), centre_y(h));
        m.up();
        INFO("lr " << lr);
        CHECK(setting(ui.state, "lr") == Catch::Approx(lr).epsilon(1e-6));   // the settings keep a float
    }
    for (size_t i = 2; i < centres.size(); ++i)
        CHECK(centres[i] - centres[i - 1] == Catch::Approx(centres[1] - centres[0]).margin(0.01));
}

TEST_CASE("[ui][controls] Reset asks before it discards a trained run", "[ui][controls]") {
    UiHarness ui;
    show_pretrain(ui);
    REQUIRE(apply(ui.state, cmd::StepOnce{}).ok);
    for (int i = 0; i < 400 && ui.state.lab.pretrain().step < 1; ++i) ui.frame();
    REQUIRE(ui.state.lab.pretrain().step == 1);
    REQUIRE(ui.click("pretrain.reset"));
    CHECK(ui.state.lab_ui.confirm_reset);
    ui.frame();
    ui.frame();   // the dialog sizes itself over its first frames
    CHECK(ui.state.lab.pretrain().step == 1);
    REQUIRE(ui.click("pretrain.confirm_no"));
    CHECK_FALSE(ui.state.lab_ui.confirm_reset);
    CHECK(ui.state.lab.pretrain().step == 1);   // kept
    REQUIRE(ui.click("pretrain.reset"));
    ui.frame();
    ui.frame();
    REQUIRE(ui.click("pretrain.confirm_yes"));
    CHECK(ui.state.lab.pretrain().step == 0);
    // The page API's lab_reset was asked for explicitly: it resets at once.
    REQUIRE(apply(ui.state, cmd::StepOnce{}).ok);
    for (int i = 0; i < 400 && ui.state.lab.pretrain().step < 1; ++i) ui.frame();
    REQUIRE(apply(ui.state, cmd::ResetRun{}).ok);
    CHECK(ui.state.lab.pretrain().step == 0);
}

TEST_CASE("[ui][controls] One step after a divergence says why it does nothing", "[ui][controls]") {
    UiHarness ui;
    show_pretrain(ui);
    // As in bad_inputs.test.cpp: 25 good steps of a small model, then a learning rate of 10 from there.
    TrainSettings t;
    t.size = SizePreset::custom;
    t.custom = {1, 2, 32, 32};
    t.batch_size = 4;
    REQUIRE(ui.state.lab.apply_settings(t).empty());
    for (int i = 0; i < 25; ++i) ui.state.lab.step_once();
    for (int i = 0; i < 4000 && ui.state.lab.pretrain().step < 25; ++i) ui.state.lab.update(20.0);
    REQUIRE(ui.state.lab.pretrain().step >= 25);
    t.lr = 10.0f;
    t.warmup_steps = 0;
    REQUIRE(ui.state.lab.apply_settings(t).empty());
    ui.state.lab_ui.editing = t;   // the panel's copy too, or the panel would ask to start a new run
    ui.state.lab.play();
    for (int i = 0; i < 4000 && ui.state.lab.pretrain().divergence.empty(); ++i) ui.state.lab.update(20.0);
    REQUIRE_FALSE(ui.state.lab.pretrain().divergence.empty());
    ui.frame();
    const int step = ui.state.lab.pretrain().step;
    ui.state.notices.clear();
    REQUIRE(ui.click("pretrain.step"));
    CHECK(ui.state.lab.pretrain().step == step);
    REQUIRE_FALSE(ui.state.notices.empty());
    CHECK(ui.state.notices.back().is_error);
    CHECK(ui.state.notices.back().text == tr(ui.state.lang, "pretrain.step_refused"));
}
