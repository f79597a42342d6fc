// The one write path: typed commands and apply(). The rules every caller shares (locks, ranges, "a refused
// command changes nothing", settings reach the lab before Play) are checked here on the typed commands,
// and the page API's JSON is checked to arrive at the same place.
#include <cmath>

#include "app/commands.h"
#include "app/settings.h"
#include "app/url_state.h"
#include "catch_amalgamated.hpp"
#include "core/utf8.h"
#include "fresh_app.h"
#include "ui_harness.h"

using namespace knobs;
using Catch::Matchers::StartsWith;
using Catch::Matchers::WithinRel;

namespace {

CommandResult run(AppState& s, Command c) { return knobs::apply(s, c); }

// A tiny run, so the tests that train stay quick under the sanitizers.
void small_model(AppState& s) {
    for (auto [key, value] : std::initializer_list<std::pair<const char*, SettingValue>>{
             {"size", std::string("custom")}, {"layers", 1LL}, {"heads", 2LL}, {"width", 32LL}, {"context", 32LL},
             {"batch", 4LL}})
        REQUIRE(run(s, cmd::SetSetting{key, value}).ok);
}

template <class F>
bool run_lab_until(AppState& s, F done, int max_slices = 4000) {
    for (int i = 0; i < max_slices && !done(); ++i) s.lab.update(20.0);
    return done();
}

}  // namespace

TEST_CASE("[commands] set_setting checks the row's kind and range, and a refusal changes nothing", "[commands]") {
    auto s = testing::fresh_app();
    const std::string before = state_json(*s);
    SECTION("out of range") {
        const CommandResult r = run(*s, cmd::SetSetting{"batch", 65LL});
        CHECK_FALSE(r.ok);
        CHECK_THAT(r.error, StartsWith("batch: 65 is not from 1 to 64"));
    }
    SECTION("wrong kind") { CHECK_FALSE(run(*s, cmd::SetSetting{"lr", std::string("fast")}).ok); }
    SECTION("unknown key") { CHECK_FALSE(run(*s, cmd::SetSetting{"speed", 1LL}).ok); }
    SECTION("not a number") { CHECK_FALSE(run(*s, cmd::SetSetting{"temp", std::nan("")}).ok); }
    CHECK(state_json(*s) == before);
}

TEST_CASE("[commands] set_setting stores a value the row accepts, and the JSON command does the same", "[commands]") {
    auto s = testing::fresh_app();
    REQUIRE(run(*s, cmd::SetSetting{"temp", 1.25}).ok);
    CHECK_THAT(s->lab_ui.sampling.temperature, WithinRel(1.25f));
    REQUIRE(run_command(*s, R"({"cmd":"set_setting","key":"batch","value":8})").ok);
    CHECK(s->lab_ui.editing.batch_size == 8);
    REQUIRE(run_command(*s, R"({"cmd":"lab_set_lr","lr":0.003})").ok);
    CHECK_THAT(s->lab_ui.editing.lr, WithinRel(0.003f));
    CHECK_FALSE(run_command(*s, R"({"cmd":"set_setting","key":"batch"})").ok);  // no value
}

TEST_CASE("[commands] a locked setting is refused by every command that could change it", "[commands]") {
    auto s = testing::fresh_app();
    for (const auto& n : knobs::apply(*s, decode_fragment("#v=2&lock=lr,tokens,theme,prompt").state)) INFO(n);
    REQUIRE(setting_locked(*s, "lr"));
    const float lr = s->lab_ui.editing.lr;

    const CommandResult r = run(*s, cmd::SetSetting{"lr", 0.5});
    CHECK_FALSE(r.ok);
    CHECK_THAT(r.error, StartsWith("lr: locked by this page"));
    CHECK(s->lab_ui.editing.lr == lr);
    REQUIRE_FALSE(s->notices.empty());
    CHECK(s->notices.back().text == r.error);  // said on screen, in the refusal's own words

    CHECK_FALSE(run(*s, cmd::SetTheme{Theme::light}).ok);
    CHECK(s->theme == Theme::dark);
    SECTION("a command that carries its own value for a locked setting, unless it is the same value") {
        // A fresh headless app has no model, and Generate needs one: train a tiny run for a step first.
        small_model(*s);
        REQUIRE(run(*s, cmd::StepOnce{}).ok);
        REQUIRE(run_lab_until(*s, [&] { return s->lab.pretrain().step >= 1; }));
        REQUIRE(run(*s, cmd::SetInferenceSource{ModelSource::trained}).ok);
        const CommandResult g = run(*s, cmd::Generate{std::nullopt, 5LL, std::nullopt});
        CHECK_FALSE(g.ok);
        CHECK_THAT(g.error, StartsWith("tokens: locked by this page"));
        CHECK(run(*s, cmd::Generate{std::nullopt, 120LL, std::nullopt}).ok);  // the locked value itself is fine
        CHECK_FALSE(run(*s, cmd::Generate{std::string("another prompt"), std::nullopt, std::nullopt}).ok);
    }
}

TEST_CASE("[commands] Play is refused with the reason while a run has diverged, and after restore it plays", "[commands]") {
    auto s = testing::fresh_app();
    small_model(*s);
    REQUIRE(run(*s, cmd::Play{}).ok);  // the edited settings reach the lab before Play
    REQUIRE(s->lab.pretrain().params > 0);
    REQUIRE(run_lab_until(*s, [&] { return s->lab.pretrain().step >= 25; }));
    REQUIRE(run(*s, cmd::SetSetting{"warmup", 0LL}).ok);
    REQUIRE(run(*s, cmd::SetSetting{"lr", 10.0}).ok);
    REQUIRE(run_lab_until(*s, [&] { return !s->lab.pretrain().divergence.empty(); }));

    const CommandResult play = run(*s, cmd::Play{});
    CHECK_FALSE(play.ok);
    CHECK_THAT(play.error, StartsWith("Training stopped because it diverged"));
    CHECK_FALSE(s->lab.pretrain().running);
    const CommandResult step = run(*s, cmd::StepOnce{});
    CHECK_FALSE(step.ok);
    CHECK_THAT(step.error, StartsWith("One step cannot run"));

    REQUIRE(run(*s, cmd::SetSetting{"lr", 0.003}).ok);
    REQUIRE(run(*s, cmd::RestoreLastGood{}).ok);
    CHECK(run(*s, cmd::Play{}).ok);
    CHECK(s->lab.pretrain().running);
    CHECK_FALSE(run(*s, cmd::RestoreLastGood{}).ok);  // nothing left to restore
}

TEST_CASE("[commands] a change that needs a new run asks first, and the answer decides", "[commands]") {
    auto s = testing::fresh_app();
    small_model(*s);
    REQUIRE(run(*s, cmd::StepOnce{}).ok);
    REQUIRE(run_lab_until(*s, [&] { return s->lab.pretrain().step >= 1; }));
    const uint64_t checksum = s->lab.checksum(ModelSource::trained);
    REQUIRE(run(*s, cmd::SetSetting{"batch", 8LL}).ok);
    CHECK(s->lab_ui.confirm_reset);
    CHECK(s->lab.settings().batch_size == 4);  // the run goes on until the learner answers
    SECTION("no keeps the run and its settings") {
        REQUIRE(run(*s, cmd::ConfirmSettingsReset{false}).ok);
        CHECK(s->lab_ui.editing.batch_size == 4);
        CHECK(s->lab.checksum(ModelSource::trained) == checksum);
    }
    SECTION("yes starts the new run") {
        REQUIRE(run(*s, cmd::ConfirmSettingsReset{true}).ok);
        CHECK(s->lab.settings().batch_size == 8);
        CHECK(s->lab.pretrain().step == 0);
    }
    CHECK_FALSE(s->lab_ui.confirm_reset);
    CHECK_FALSE(run(*s, cmd::ConfirmSettingsReset{true}).ok);  // nothing is waiting any more
}

TEST_CASE("[commands] the panels post commands and change the state only through apply()", "[commands][ui]") {
    testing::UiHarness ui;
    run(ui.state, cmd::OpenPanel{PanelId::pretrain});
    ui.frame();
    ui.frame();
    REQUIRE(ui.state.hits.count("pretrain.step"));
    const int before = ui.state.lab.pretrain().step;
    REQUIRE(ui.click("pretrain.step"));
    for (int i = 0; i < 400 && ui.state.lab.pretrain().step == before; ++i) ui.frame();
    CHECK(ui.state.lab.pretrain().step == before + 1);
    CHECK(ui.state.posted.empty());  // every posted command was applied within its frame
}

TEST_CASE("[commands] an unknown preset or setting is named quoted and cut at a character", "[commands]") {
    auto s = testing::fresh_app();
    // 39 ASCII bytes, then a 4-byte character across byte 40 (where the id was once cut), then a terminal escape.
    const std::string id = std::string(39, 'p') + "🙂\x1B[31m";
    const CommandResult preset = knobs::apply(*s, cmd::LoadPreset{id});
    REQUIRE_FALSE(preset.ok);
    CHECK_THAT(preset.error, StartsWith("unknown preset \"" + std::string(24, 'p') + "…\" (known: "));
    CHECK(is_valid_utf8(as_bytes(preset.error)));
    const CommandResult setting = knobs::apply(*s, cmd::SetSetting{"evil\u202E\x1B", 1.0});
    REQUIRE_FALSE(setting.ok);
    CHECK(setting.error == "set_setting: \"evil\\u202E\\u001B\" is not a setting");
}

TEST_CASE("[commands] file_refused: a file the page refused shows as a notice and on the weights panel's error line", "[commands]") {
    auto s = testing::fresh_app();
    const std::string text = "big.knobs is too large to open: 80.0 MB, and Knobs opens weights files of up to 64.0 MB.";
    const std::string weights_refused = R"({"cmd":"file_refused","purpose":"weights","text":")" + text + R"("})";
    REQUIRE(run_command(*s, weights_refused).ok);
    CHECK(s->lab.weights().open_error == text);
    REQUIRE_FALSE(s->notices.empty());
    CHECK(s->notices.back().text == text);
    CHECK(s->notices.back().is_error);
    // A text refusal is a notice; the weights panel's line is about weights files only.
    s->lab.refuse_open("");
    const std::string text_refused = R"({"cmd":"file_refused","purpose":"text","text":"big.txt is too large"})";
    REQUIRE(run_command(*s, text_refused).ok);
    CHECK(s->lab.weights().open_error.empty());
    CHECK(s->notices.back().text == "big.txt is too large");
    // Shape errors are refusals.
    CHECK_FALSE(run_command(*s, R"({"cmd":"file_refused","purpose":"video","text":"x"})").ok);
    CHECK_FALSE(run_command(*s, R"({"cmd":"file_refused","purpose":"weights","text":""})").ok);
}
